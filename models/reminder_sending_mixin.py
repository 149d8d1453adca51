import logging
from collections import defaultdict

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, email_normalize, split_every

_logger = logging.getLogger(__name__)

MAIL_CREATE_CHUNK = 100

# Order matters: the first state found among a mail's recipients wins.
TRACKING_PRECEDENCE = [
    ("opened", ("opened",)),
    ("delivered", ("delivered",)),
    ("bounced", ("bounced", "soft-bounced", "rejected", "spam", "unsub")),
    ("error", ("error",)),
    ("sent", ("sent",)),
    ("queued", ("deferred",)),  # refused for now, queued again
]


class ReminderSendingMixin(models.AbstractModel):
    """Everything about how a "thing to send" reaches a person.

    Engines (dunning communication, task reminder, dispatch line, ...)
    inherit it and override the ``_reminder_*`` hooks: which document type,
    which template, which attachments. Routing, rendering, mail creation,
    state and tracking are written once, here, set-based: every method works
    on many records with a number of queries that does not depend on them.
    """

    _name = "reminder.sending.mixin"
    _description = "Reminder Sending"

    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="restrict")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    send_state = fields.Selection(
        [("draft", "To Send"), ("queued", "Queued"), ("error", "Error"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    state = fields.Selection(
        [
            ("draft", "To Send"),
            ("queued", "Queued"),
            ("sent", "Sent"),
            ("delivered", "Delivered"),
            ("opened", "Opened"),
            ("bounced", "Bounced"),
            ("error", "Error"),
            ("cancelled", "Cancelled"),
        ],
        compute="_compute_state",
        store=True,
        index=True,
        help="Queued: the e-mail waits in the outgoing queue. Sent, delivered, opened, "
        "bounced: as reported by the mail server and the tracking pixel.",
    )
    error_message = fields.Text(readonly=True, copy=False)
    date_sent = fields.Datetime(readonly=True, copy=False)
    recipient_ids = fields.Many2many(related="mail_message_id.partner_ids", string="Recipients")
    email_to = fields.Char(
        string="To",
        readonly=True,
        copy=False,
        help="Who receives it, resolved when prepared and again when sent.",
    )
    email_cc = fields.Char(string="CC", readonly=True, copy=False)
    pec_email_to = fields.Char(string="PEC Recipients", readonly=True, copy=False)
    mail_message_id = fields.Many2one("mail.message", readonly=True, copy=False, index="btree_not_null")
    tracking_email_ids = fields.One2many(related="mail_message_id.mail_tracking_ids", string="Tracking")
    sms_ids = fields.Many2many("sms.sms", string="SMS", readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        if any("send_state" in vals for vals in vals_list):
            self._reminder_check_state_write()
        return super().create(vals_list)

    def write(self, vals):
        if "send_state" in vals:
            self._reminder_check_state_write()
        return super().write(vals)

    def _reminder_check_state_write(self):
        """The sending status changes only through the engine's methods,
        which write it as superuser: never by a user's create or write (a
        readonly field is readonly in the views only)."""
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "The status of a reminder changes only by preparing, sending, retrying or cancelling it."
                )
            )

    def _reminder_write_state(self, send_state, **values):
        """The engine's way to change the sending status of ``self``."""
        self.sudo().write({"send_state": send_state, **values})

    @api.depends("send_state", "mail_message_id")
    def _compute_state(self):
        """From the tracking of the customer's copies only: staff copies are
        not the customer's. Not a dependency on the tracking (it would cost
        every mail of the database a query): mail.tracking.email recomputes
        the reminders of its own messages."""
        for record in self:
            if record.send_state != "queued" or not record.mail_message_id:
                record.state = record.send_state
                continue
            customer_copies = record.mail_message_id.mail_tracking_ids.filtered("reminder_customer_copy")
            states = set(customer_copies.mapped("state"))
            record.state = next(
                (state for state, tracked in TRACKING_PRECEDENCE if states.intersection(tracked)),
                "queued",
            )

    @api.model
    def _reminder_raise_state(self, message_ids, state):
        """Give the queued records of ``message_ids`` ``state`` where it
        ranks above their current one (``TRACKING_PRECEDENCE``), in one
        query and without reading them."""
        ranks = [state for state, _tracked in reversed(TRACKING_PRECEDENCE)]
        self.flush_model(["state", "send_state", "mail_message_id"])
        raised = self.env.execute_query(
            SQL(
                """UPDATE %s SET state = %s
                    WHERE mail_message_id = ANY(%s) AND send_state = 'queued'
                      AND array_position(%s::varchar[], state::varchar) < array_position(%s::varchar[], %s)
                RETURNING id""",
                SQL.identifier(self._table),
                state,
                message_ids,
                ranks,
                ranks,
                state,
            )
        )
        self.browse([row[0] for row in raised]).invalidate_recordset(["state"])

    @api.model
    def _reminder_sending_models(self):
        """The model of every engine: the concrete models inheriting this one."""
        for model_name in self.env.registry.descendants([self._name], "_inherit"):
            if not self.env[model_name]._abstract:
                yield self.env[model_name]

    @api.model
    def _reminder_sendings_of(self, messages):
        """The records, of every engine, that send ``messages``: one
        recordset per engine."""
        if messages:
            for model in self._reminder_sending_models():
                yield model.sudo().search([("mail_message_id", "in", messages.ids)])

    # ------------------------------------------------------------------
    # Hooks for the engines
    # ------------------------------------------------------------------

    def _reminder_document_type(self):
        """``reminder.document.type`` of what the records of this model send."""
        return self.env["reminder.document.type"]

    def _reminder_function_patterns(self):
        return False

    def _reminder_mail_template(self):
        """``mail.template`` on this model rendering the e-mail of each record."""
        raise NotImplementedError

    def _reminder_email_from(self):
        return self.company_id._reminder_email_from() or self.env.user.email_formatted

    def _reminder_copy_per_contact(self):
        """Whether each routed contact gets a copy of its own (its own
        tracking and refusals) rather than one e-mail to them all."""
        return True

    def _reminder_extra_cc(self):
        """Addresses copied on top of the routed CC, e.g. a finance mailbox."""
        return []

    def _reminder_attachment_ids(self):
        """``ir.attachment`` ids to join to the e-mail of ``self``."""
        return []

    def _reminder_chatter_record(self):
        """Record whose chatter keeps the trace of the e-mail."""
        return self.partner_id

    # ------------------------------------------------------------------
    # Core
    # ------------------------------------------------------------------

    def _reminder_route(self, channel="email"):
        """Route every record's partner; record the error of those nobody
        can receive. Returns ``{record: RecipientRoute}`` for the others."""
        routable = {}
        doc_type = self._reminder_document_type()
        for (patterns, company), records in self.grouped(
            lambda r: (r._reminder_function_patterns(), r.company_id)
        ).items():
            partners = records.partner_id.with_company(company)
            routes = partners._reminder_route(doc_type, patterns, channel)
            for record in records:
                route = routes[record.partner_id.id]
                if route.error:
                    record._reminder_set_error(route.error)
                else:
                    routable[record] = route
        return routable

    def _reminder_set_error(self, message):
        self._reminder_write_state("error", error_message=message)

    def _reminder_resolve_recipients(self, channel="email"):
        """Route before sending, so that a review shows who receives what
        and which records will fail: the To and Cc addresses are stored in
        one query (the ORM writes one row a query), the errors as errors."""
        routes = self._reminder_route(channel)
        if not routes:
            return
        records = list(routes)
        texts = list(self._reminder_recipients_texts(routes, channel).values())
        self.flush_recordset(["email_to", "email_cc", "pec_email_to"])
        self.env.execute_query(
            SQL(
                """UPDATE %s t SET email_to = v.email_to, email_cc = v.email_cc, pec_email_to = v.pec
                     FROM unnest(%s::int[], %s::varchar[], %s::varchar[], %s::varchar[])
                          AS v(id, email_to, email_cc, pec)
                    WHERE t.id = v.id""",
                SQL.identifier(self._table),
                [record.id for record in records],
                [to for to, _cc in texts],
                [cc for _to, cc in texts],
                [",".join(routes[record].pec_emails) for record in records],
            )
        )
        self.invalidate_recordset(["email_to", "email_cc", "pec_email_to"])

    def _reminder_recipient_texts(self, route, channel="email"):
        """(To, Cc) of ``route`` as the e-mail's headers show them."""
        return self._reminder_recipients_texts({self: route}, channel)[self]

    def _reminder_recipients_texts(self, routes, channel="email"):
        """``{record: (To, Cc)}`` of ``routes``: the records of a partner
        share its route, whose labels are built once, not for each of its
        documents; only the extra CC is the record's."""
        labels = {}
        texts = {}
        for record, route in routes.items():
            if id(route) not in labels:
                labels[id(route)] = self._reminder_route_labels(route, channel)
            email_to, email_cc = labels[id(route)]
            if channel == "email" and not route.is_pec:
                extra_cc = [e for e in record._reminder_extra_cc() if e and email_normalize(e)]
                email_cc = ", ".join(filter(None, [email_cc, *extra_cc]))
            texts[record] = (email_to, email_cc)
        return texts

    def _reminder_route_labels(self, route, channel):
        """(To, Cc) of ``route`` without the extra CC."""
        if route.is_pec:
            return ", ".join(route.pec_emails), ""
        if channel == "sms":
            return ", ".join(route.to._reminder_recipient_labels("display_name")), ""
        email_to = ", ".join(route.to._reminder_recipient_labels())
        return email_to, ", ".join(route.cc._reminder_recipient_labels())

    def _reminder_send_emails(self):
        """Render and queue one e-mail per record; a record that cannot be
        routed or rendered gets its error and the others go on."""
        routes = self._reminder_route("email")
        if not routes:
            return self.browse()
        records = self.browse([r.id for r in routes])
        bodies = records._reminder_render_mails()
        mail_values, sent_ids = [], []
        for record in records:
            rendered = bodies.get(record.id)
            if isinstance(rendered, Exception):
                record._reminder_set_error(self.env._("The template failed to render: %s", rendered))
                continue
            mail_values.append(record._reminder_mail_values(routes[record], *rendered))
            sent_ids.append(record.id)
        sent = self.browse(sent_ids)
        if not mail_values:
            return sent
        sent._reminder_wrap_in_layout(mail_values)
        self._reminder_set_mail_servers(mail_values)
        # chunks: creating messages for many records in one call costs
        # quadratic time in the ORM (inverse caches of res_id, measured 6 s
        # for 2,000 at once)
        MailMail = self.env["mail.mail"].sudo()
        chunks = split_every(MAIL_CREATE_CHUNK, mail_values)
        mails = MailMail.concat(*(MailMail.create(chunk) for chunk in chunks))
        sent._reminder_write_state("queued", error_message=False, date_sent=fields.Datetime.now())
        texts = sent._reminder_recipients_texts({record: routes[record] for record in sent})
        for record, mail in zip(sent, mails, strict=True):
            email_to, email_cc = texts[record]
            # one write per record (a write costs more than its fields); the
            # ORM flushes them in one UPDATE per hundred records
            record.write(
                {
                    "mail_message_id": mail.mail_message_id.id,
                    "email_to": email_to,
                    "email_cc": email_cc,
                    "pec_email_to": ",".join(routes[record].pec_emails),
                }
            )
        return sent

    @api.model
    def _reminder_set_mail_servers(self, mail_values):
        """Give the mails the server Odoo would pick for their sender, found
        once per sender: without one, mail_tracking searches the servers
        again for every copy it sends."""
        IrMailServer = self.env["ir.mail_server"].sudo()
        servers = {}
        for values in mail_values:
            if values.get("mail_server_id"):
                continue
            email_from = values["email_from"]
            if email_from not in servers:
                servers[email_from] = IrMailServer._find_mail_server(email_from)[0]
            if servers[email_from]:
                values["mail_server_id"] = servers[email_from].id

    def _reminder_render_mails(self):
        """``{id: (subject, body)}``, see ``_reminder_render``."""
        return self._reminder_render(lambda r: r._reminder_mail_template(), ("subject", "body_html"))

    def _reminder_render(self, get_template, field_names):
        """``{id: (rendered field_names)}`` in each partner's language, one
        rendering call per template and language; an exception instead of
        the values for a record whose template fails."""
        result = {}
        for (template, lang), records in self.grouped(
            lambda r: (get_template(r), r.partner_id.lang or r.env.lang or "en_US")
        ).items():
            template = template.with_context(lang=lang)
            records = records.with_context(lang=lang)
            try:
                rendered = [template._render_field(fname, records.ids) for fname in field_names]
            except Exception as error:  # noqa: BLE001 - reported per record, never fatal
                if len(records) == 1:
                    _logger.info("Template %s failed for %s: %s", template.name, records, error)
                    result[records.id] = error
                    continue
                # isolate the failing records by rendering them one by one
                for record in records:
                    result.update(record._reminder_render(get_template, field_names))
                continue
            for record in records:
                result[record.id] = tuple(values[record.id] for values in rendered)
        return result

    def _reminder_mail_values(self, route, subject, body):
        self.ensure_one()
        email_from = self._reminder_email_from()
        values = self._reminder_routed_mail_values(
            route,
            self._reminder_chatter_record(),
            subject,
            body,
            one_email=not self._reminder_copy_per_contact(),
            email_from=email_from,
            reply_to=email_from,
            attachment_ids=[fields.Command.set(self._reminder_attachment_ids())],
        )
        extra_cc = [e for e in self._reminder_extra_cc() if e and email_normalize(e)]
        if extra_cc and not route.is_pec:
            values["email_cc"] = ",".join(filter(None, [values.get("email_cc"), *extra_cc]))
        return values

    @api.model
    def _reminder_routed_mail_values(self, route, chatter, subject, body, one_email=False, **values):
        """``mail.mail`` values of a document e-mailed to ``route`` (see
        ``res.partner._reminder_mail_recipient_values``), every recipient
        shown in every copy, and kept in ``chatter``'s chatter with its
        subject and body; ``values`` add to them or replace them."""
        return {
            "subject": subject,
            "body_html": body,
            "body": body,
            "reminder_shared_headers": True,
            "model": chatter._name,
            "res_id": chatter.id,
            "message_type": "email",
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            "author_id": self.env.user.partner_id.id,
            "auto_delete": False,
            # the message's recipients, as in any chatter message (and what
            # mail_tracking expects to find when it records the delivery)
            "partner_ids": [fields.Command.set(route.to.ids if not route.is_pec else [])],
            **route.partner._reminder_mail_recipient_values(route, one_email=one_email),
            **values,
        }

    def _reminder_email_layout(self):
        """xmlid of the layout around the e-mails, as ``email_layout_xmlid``
        of Odoo's own document e-mails (company logo, footer, font); False
        sends the template bodies bare."""
        return "mail.mail_notification_light"

    def _reminder_wrap_in_layout(self, mail_values):
        """Put the ``body_html`` of ``mail_values`` (one dict per record of
        ``self``, in order) into the e-mail layout of the record's company,
        in its partner's language; ``subject`` is the layout's title. The
        chatter message keeps the bare body.

        The layout is rendered once per company and language around
        placeholders that each mail's body and title then replace: QWeb once
        per mail costs milliseconds a mail."""
        layout = self._reminder_email_layout()
        if not layout:
            return
        title_mark, body_mark = "ReminderLayoutTitle", Markup("<!--reminder-layout-body-->")
        doc_type = self._reminder_document_type()
        wrappers = {}
        for record, values in zip(self, mail_values, strict=True):
            key = (record.company_id, record.partner_id.lang or self.env.lang or "en_US")
            if key not in wrappers:
                company, lang = key
                wrappers[key] = str(
                    self.env["mail.render.mixin"]
                    .with_context(lang=lang)
                    ._render_encapsulate(
                        layout,
                        body_mark,
                        add_context={
                            "company": company,
                            "model_description": doc_type.with_context(lang=lang).name
                            or self.env["ir.model"].with_context(lang=lang)._get(self._name).display_name,
                            "record_name": title_mark,
                        },
                    )
                )
            values["body_html"] = Markup(
                wrappers[key]
                .replace(title_mark, escape(values["subject"] or ""))
                .replace(body_mark, values["body_html"] or "")
            )

    def _reminder_send_sms(self):
        """Queue one SMS per routed recipient number, rendered from the
        engine's SMS template in the partner's language; a record whose
        template fails gets its error and the others go on."""
        routes = self._reminder_route("sms")
        records = self.browse([r.id for r in routes])
        bodies = records._reminder_render(lambda r: r._reminder_sms_template(), ("body",))
        sms_values, owners = [], []
        for record in records:
            rendered = bodies[record.id]
            if isinstance(rendered, Exception):
                record._reminder_set_error(self.env._("The SMS template failed to render: %s", rendered))
                continue
            for contact in routes[record].to:
                sms_values.append(
                    {
                        "partner_id": contact.id,
                        "number": record._reminder_sms_number_of(contact),
                        "body": rendered[0],
                        "state": "outgoing",
                    }
                )
                owners.append(record)
        if not sms_values:
            return self.browse()
        sms = self.env["sms.sms"].sudo().create(sms_values)
        by_owner = defaultdict(list)
        for owner, one_sms in zip(owners, sms, strict=True):
            by_owner[owner].append(one_sms.id)
        for owner, ids in by_owner.items():
            owner._reminder_write_state("queued", sms_ids=[fields.Command.link(i) for i in ids])
        return self.browse([o.id for o in by_owner])

    def _reminder_sms_template(self):
        raise NotImplementedError

    def _reminder_sms_number_of(self, contact):
        """The number the SMS of ``self`` goes to for the routed ``contact``."""
        return contact._reminder_sms_number()

    def action_cancel(self):
        if self.filtered(lambda r: r.send_state == "queued"):
            raise UserError(self.env._("A queued sending cannot be cancelled."))
        self._reminder_write_state("cancelled")
