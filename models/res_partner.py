import re
import unicodedata
from dataclasses import dataclass, field

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import email_normalize, format_date


def _fold(text):
    """Lower-case ``text`` and strip its accents: "Contabilità" -> "contabilita"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def compile_function_patterns(patterns):
    """Turn ``"Conta, %Manage"`` into one regular expression, or None.

    Patterns are comma-separated, case- and accent-insensitive; ``%`` matches
    any text and every pattern is anchored at the start of the function only,
    so a pattern without ``%`` matches as a prefix ("Conta" matches
    "Contabilitate") and a leading ``%`` matches anywhere ("%Manage" matches
    "Project Management"). An empty list selects nothing in particular: None.
    """
    parts = [_fold(p.strip()) for p in (patterns or "").split(",")]
    parts = [p for p in parts if p]
    if not parts:
        return None
    alternatives = ("^" + ".*".join(map(re.escape, p.split("%"))) for p in parts)
    return re.compile("|".join(alternatives))


@dataclass
class RecipientRoute:
    """Who receives a document for one partner, or why nobody can."""

    partner: models.Model
    to: models.Model
    cc: models.Model
    pec_emails: list = field(default_factory=list)
    error: str = ""

    @property
    def is_pec(self):
        return bool(self.pec_emails)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Odoo 19 partners have no mobile; phone_validation still lists it before
    # phone (_phone_get_number_fields), so core SMS sends to it first.
    mobile = fields.Char()
    pec_email = fields.Char(
        string="PEC E-mail",
        help="Certified e-mail address (Italian PEC). Documents whose type requires "
        "PEC are sent only to this address, through the PEC mail server.",
    )
    reminder_document_type_ids = fields.Many2many(
        "reminder.document.type",
        "reminder_document_type_partner_to_rel",
        "partner_id",
        "document_type_id",
        string="Receives",
        help="Document types this contact receives.",
    )
    reminder_cc_document_type_ids = fields.Many2many(
        "reminder.document.type",
        "reminder_document_type_partner_cc_rel",
        "partner_id",
        "document_type_id",
        string="In Copy Of",
        help="Document types this contact receives in copy.",
    )
    reminder_dunning_policy_id = fields.Many2one(
        "reminder.dunning.policy",
        string="Dunning Policy",
        help="Empty: the default policy of the company.",
    )
    reminder_excluded = fields.Boolean(string="Excluded from Dunning")
    reminder_promise_date = fields.Date(
        string="Promise to Pay", help="The customer promised to pay by this date: no reminder until then."
    )
    reminder_dispute = fields.Boolean(string="In Dispute", help="No reminder while the customer disputes.")
    reminder_next_action_date = fields.Date(
        string="Next Action On",
        tracking=True,
        help="Dunning of this customer is postponed until this date, e.g. to call them first: "
        "reminders due before it wait for it.",
    )
    reminder_next_action = fields.Char(
        string="Next Action",
        tracking=True,
        help="What the credit controller does next, e.g. 'Call the accountant'.",
    )
    reminder_dunning_communication_ids = fields.One2many(
        "reminder.dunning.communication", "partner_id", string="Dunning Communications"
    )
    reminder_dunning_communication_count = fields.Integer(
        compute="_compute_reminder_dunning_communication_count"
    )
    reminder_dispatch_line_count = fields.Integer(
        string="Dispatched Documents", compute="_compute_reminder_dispatch_line_count"
    )
    reminder_confidential = fields.Boolean(
        string="Confidential",
        help="Only users of the group 'See confidential contacts' can see this contact.",
    )

    def _compute_reminder_dunning_communication_count(self):
        counts = dict(
            self.env["reminder.dunning.communication"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.reminder_dunning_communication_count = counts.get(partner, 0)

    def action_view_reminder_dunning_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "reminder_automation.reminder_dunning_communication_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        return action

    def action_reminder_send_now(self):
        """Send the reminder due now to this customer, as a run would."""
        return self._reminder_remind_now()

    def action_reminder_print_now(self):
        """Print the letter of the reminder due now to this customer."""
        return self._reminder_remind_now(letters=True)

    def action_reminder_postpone(self):
        """Postpone the dunning of these customers to a next action date."""
        action = self.env["ir.actions.act_window"]._for_xml_id("reminder_automation.reminder_postpone_action")
        action["context"] = {"default_partner_ids": self.commercial_partner_id.ids}
        return action

    def _reminder_remind_now(self, moves=None, letters=False):
        """A dunning run for this customer alone (its invoices ``moves``
        only, when given), prepared and sent at once: the policy of the
        customer, its routing, the level each invoice is due for and the
        history are those of any run. ``letters``: the reminders are
        printed, whatever their level's channels, and the letters returned."""
        self.ensure_one()
        partner = self.commercial_partner_id
        company = self.env.company
        policy = partner.reminder_dunning_policy_id or company.reminder_dunning_policy_id
        if not policy or policy.company_id != company:
            raise UserError(
                self.env._(
                    "No dunning policy of %(company)s applies to %(customer)s: set the Dunning Policy "
                    "of the customer, or the default policy of the company in Settings.",
                    company=company.name,
                    customer=partner.display_name,
                )
            )
        run = self.env["reminder.dunning.run"].create(
            {
                "policy_id": policy.id,
                "partner_ids": [fields.Command.set(partner.ids)],
                "letters_only": letters,
                # only when given: writing invoices needs rights on them, which not every handler has
                **({"move_ids": [fields.Command.set(moves.ids)]} if moves else {}),
            }
        )
        run.action_prepare()
        if not run.communication_ids:
            raise UserError(partner._reminder_nothing_due_message(policy, run.date, moves))
        run.action_send()
        if letters and run.letter_count:
            return run.action_print_letters()
        return run._remind_now_notification()

    def _reminder_nothing_due_message(self, policy, date, moves=None):
        waiting = policy._due_items(date, self.ids, waiting=True, move_ids=moves.ids if moves else None)
        if waiting:
            return self.env._(
                "The next reminder of %(customer)s is due on %(date)s (previous reminder too recent, "
                "or Next Action On a later date).",
                customer=self.display_name,
                date=format_date(self.env, min(item.next_date for item in waiting)),
            )
        return self.env._(
            "No reminder is due for %(customer)s under the policy %(policy)s: no invoice is late "
            "enough for a level, or dunning is paused (Promise to Pay, In Dispute, Excluded from Dunning).",
            customer=self.display_name,
            policy=policy.name,
        )

    def _compute_reminder_dispatch_line_count(self):
        counts = dict(
            self.env["reminder.dispatch.line"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.reminder_dispatch_line_count = counts.get(partner, 0)

    def action_view_reminder_dispatch_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "reminder_automation.reminder_dispatch_line_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # Constraints and SMS number
    # ------------------------------------------------------------------

    @api.constrains("pec_email")
    def _check_pec_email(self):
        for partner in self.filtered("pec_email"):
            if not email_normalize(partner.pec_email):
                raise ValidationError(
                    self.env._(
                        "Invalid PEC E-mail %(email)s on %(partner)s.",
                        email=partner.pec_email,
                        partner=partner.display_name,
                    )
                )

    @api.constrains("reminder_confidential")
    def _check_reminder_confidential(self):
        users = self.env["res.users"].sudo().with_context(active_test=False)
        companies = self.env["res.company"].sudo()
        confidential = self.filtered("reminder_confidential")
        if confidential and (
            users.search_count([("partner_id", "in", confidential.ids)], limit=1)
            or companies.search_count([("partner_id", "in", confidential.ids)], limit=1)
        ):
            raise ValidationError(self.env._("The contact of a user or of a company cannot be confidential."))

    def _reminder_sms_number(self):
        """The number SMS reminders go to, in E.164, or False: the mobile, else
        the phone (core SMS's order), read with the contact's country, else its
        company's, else the current company's. People type numbers freely;
        they are normalised only here, where a reminder needs one."""
        self.ensure_one()
        country = self.country_id or self.parent_id.country_id or self.env.company.country_id
        for fname in ("mobile", "phone"):
            if number := self._phone_format_number(self[fname], country, force_format="E164"):
                return number
        return False

    # ------------------------------------------------------------------
    # Routing: the one place that picks recipients
    # ------------------------------------------------------------------

    def _reminder_route(self, document_type=None, function_patterns=None, channel="email"):
        """Resolve the recipients of a document for every partner of ``self``.

        :param document_type: ``reminder.document.type`` record, or None for
            a document nobody subscribes to (patterns or partner only)
        :param function_patterns: e.g. ``"Conta, %Manage"``; when given, the
            contacts whose function matches are the recipients, whatever their
            subscriptions, and a company with no such contact is an error
        :param channel: ``"email"`` or ``"sms"``: which address must exist
        :return: ``{partner_id: RecipientRoute}``

        Without patterns, the recipients are the contacts subscribed to the
        type ("Receives"), else the partner itself; contacts subscribed "In
        Copy Of" are put in CC. A type requiring PEC takes the recipients' PEC
        addresses, else the partner's. The number of queries does not depend
        on the number of partners.

        Contacts and subscriptions are read as superuser, so that a cron and
        a handler route alike (confidential contacts included; contacts of
        another company than the current one excluded): the routes hold
        superuser records, to send with; show them to users through
        ``_reminder_recipient_labels``.
        """
        partners = self.sudo()  # same recipients whoever sends: confidential contacts included
        regex = compile_function_patterns(function_patterns)
        route_fields = [
            "function",
            "email",
            "email_normalized",
            "pec_email",
            "phone",
            "mobile",
            "name",
            "is_company",
            "reminder_confidential",
        ]
        partners.fetch(route_fields)
        contacts = partners.search_fetch(
            Domain("parent_id", "in", partners.ids)
            & Domain("is_company", "=", False)
            & self._reminder_company_domain(),
            ["parent_id", *route_fields],
            order="parent_id, id",
        )
        contacts_by_parent = contacts.grouped("parent_id")
        subscribed_to, subscribed_cc = partners._reminder_subscribers(document_type, contacts)
        routes = {}
        for partner in partners:
            candidates = partner | contacts_by_parent.get(partner, partners.browse())
            if regex:
                to = candidates.filtered(lambda c: c.function and regex.match(_fold(c.function)))
                if not to and not partner.is_company:
                    to = partner
            else:
                to = candidates.filtered(lambda c: c.id in subscribed_to) or partner
            cc = candidates.filtered(lambda c: c.id in subscribed_cc) - to
            routes[partner.id] = partners._reminder_check_route(
                RecipientRoute(partner, to, cc), document_type, function_patterns, channel
            )
        return routes

    def _reminder_company_domain(self):
        """No contact of another company than the one sending (the current
        company): the multi-company rule of contacts, which routing as
        superuser skips, applied alike for the cron and for a user."""
        return Domain("company_id", "in", [False, self.env.company.id])

    def _reminder_subscribers(self, document_type, contacts):
        """Ids among ``self`` and ``contacts`` subscribed to ``document_type``
        as recipients and in copy: two queries whatever their number."""
        if not document_type:
            return set(), set()
        candidate_ids = self.ids + contacts.ids
        to_ids = self.search(
            [("id", "in", candidate_ids), ("reminder_document_type_ids", "in", document_type.ids)]
        ).ids
        cc_ids = self.search(
            [("id", "in", candidate_ids), ("reminder_cc_document_type_ids", "in", document_type.ids)]
        ).ids
        return set(to_ids), set(cc_ids)

    def _reminder_recipient_labels(self, fname="email_formatted"):
        """``self`` as recipient lists show them, ``fname`` of each contact;
        a confidential contact only as such: the texts are stored on
        reminders and read by users outside the confidential group."""
        hidden = self.env._("Confidential contact")
        return [hidden if partner.reminder_confidential else partner[fname] for partner in self]

    def _reminder_visible(self):
        """The contacts of ``self`` the user may read, even from superuser
        mode (a computed field): what a screen may propose of routed
        recipients, confidential contacts only to their group."""
        return self.with_env(self.env(su=False))._filtered_access("read")

    def _reminder_check_route(self, route, document_type, function_patterns, channel):
        """Fill the PEC addresses and drop the recipients who cannot be
        reached on ``channel``; set ``route.error`` when nobody is left."""
        _ = self.env._
        if not route.to:
            route.error = _(
                "No contact of %(partner)s has a function matching '%(patterns)s': "
                "give one of its contacts a matching Job Position.",
                partner=route.partner.display_name,
                patterns=function_patterns,
            )
            return route
        if document_type and document_type.requires_pec:
            route.pec_emails = [email_normalize(c.pec_email) for c in route.to if c.pec_email]
            if not route.pec_emails and route.partner.pec_email:
                route.pec_emails = [email_normalize(route.partner.pec_email)]
            if not route.pec_emails:
                route.error = _(
                    "No PEC address for %(partner)s: %(type)s must be sent by certified e-mail. "
                    "Fill in the PEC E-mail of the customer or of the contact who receives it.",
                    partner=route.partner.display_name,
                    type=document_type.name,
                )
            return route
        reachable = (
            (lambda c: c._reminder_sms_number())
            if channel == "sms"
            else (lambda c: c.email_normalized)  # stored by mail, no parsing here
        )
        unreachable = route.to.filtered(lambda c: not reachable(c))
        route.to -= unreachable
        route.cc = route.cc.filtered(reachable)
        if route.to:
            return route
        if channel == "sms":
            route.error = " ".join(contact._reminder_sms_number_error() for contact in unreachable)
        else:
            route.error = _(
                "No valid e-mail address on %(contacts)s: fill one in, or subscribe a contact "
                "with an e-mail address to %(type)s (Communication Routing tab of the customer).",
                contacts=", ".join(unreachable._reminder_recipient_labels("display_name")),
                type=document_type.name if document_type else _("this document"),
            )
        return route

    def _reminder_sms_number_error(self):
        """Why no SMS can reach this contact, naming it and the field."""
        self.ensure_one()
        typed = [fname for fname in ("mobile", "phone") if self[fname]]
        if not typed:
            return self.env._("No mobile or phone number on %(contact)s.", contact=self.display_name)
        return " ".join(
            self.env._(
                "%(field)s %(number)s of %(contact)s is not a valid phone number.",
                field=self._fields[fname]._description_string(self.env),
                number=self[fname],
                contact=self.display_name,
            )
            for fname in typed
        )

    def _reminder_mail_recipient_values(self, route, one_email=False):
        """``mail.mail`` values that deliver to ``route``: partners (one copy
        each) or, with ``one_email``, their addresses (one e-mail to all) and
        CC addresses for ordinary mail; PEC addresses only, through the PEC
        server, for certified mail."""
        if route.is_pec:
            return {
                "email_to": ",".join(route.pec_emails),
                "reminder_is_pec": True,
                "mail_server_id": self.env["ir.mail_server"]._reminder_pec_server().id,
            }
        if one_email:
            to = {"email_to": ",".join(route.to.mapped("email_formatted"))}
        else:
            to = {"recipient_ids": [fields.Command.set(route.to.ids)]}
        return {**to, "email_cc": ",".join(route.cc.mapped("email_formatted"))}
