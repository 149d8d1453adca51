from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import format_date, hmac


class AccountMove(models.Model):
    _inherit = "account.move"

    reminder_promise_date = fields.Date(
        string="Promise to Pay",
        copy=False,
        tracking=True,
        help="The customer promised to pay by this date: no reminder until then.",
    )
    reminder_dispute = fields.Boolean(
        string="In Dispute", copy=False, tracking=True, help="No reminder while the invoice is disputed."
    )
    reminder_dunning_line_ids = fields.One2many("reminder.dunning.line", "move_id", string="Reminders")
    reminder_dispatch_line_count = fields.Integer(
        string="Dispatched", compute="_compute_reminder_dispatch_line_count"
    )
    reminder_dunning_level_id = fields.Many2one(
        "reminder.dunning.level", string="Last Reminder Level", compute="_compute_reminder_dunning_level_id"
    )

    @api.depends("reminder_dunning_line_ids.state")
    def _compute_reminder_dunning_level_id(self):
        for move in self:
            sent = move.reminder_dunning_line_ids.filtered(lambda line: line.state == "sent")
            move.reminder_dunning_level_id = sent.sorted("id")[-1:].level_id

    def action_reminder_send_now(self):
        """Send the reminder this invoice is due for now, as a run would."""
        return self._reminder_remind_now()

    def action_reminder_print_now(self):
        """Print the letter of the reminder this invoice is due for now."""
        return self._reminder_remind_now(letters=True)

    def _reminder_remind_now(self, letters=False):
        self.ensure_one()
        return self.commercial_partner_id.with_company(self.company_id)._reminder_remind_now(
            self, letters=letters
        )

    # ------------------------------------------------------------------
    # The customer's answer from the reminder (controllers/portal.py)
    # ------------------------------------------------------------------

    def _reminder_is_open(self):
        return self.state == "posted" and self.payment_state in ("not_paid", "partial")

    def _reminder_portal_promise(self, date):
        """The customer promises to pay by ``date``: dunning of the invoice
        waits until then (SPEC 2.10) and the salesperson is told."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        if not date or not today < date <= today + relativedelta(years=1):
            raise ValidationError(self.env._("The Promise to Pay date must be within the coming year."))
        self._reminder_check_open()
        self.reminder_promise_date = date
        self._reminder_customer_answer(
            self.env._(
                "Promise to pay %(invoice)s by %(date)s", invoice=self.name, date=format_date(self.env, date)
            )
        )

    def _reminder_portal_dispute(self, comment):
        """The customer disputes the invoice: no reminder until someone
        settles the dispute (SPEC 2.10), and the salesperson is told why."""
        self.ensure_one()
        if not (comment or "").strip():
            raise ValidationError(self.env._("Please say in the Comment why you dispute this invoice."))
        self._reminder_check_open()
        self.reminder_dispute = True
        self._reminder_customer_answer(self.env._("Dispute of %s", self.name), comment.strip())

    def _reminder_check_open(self):
        if not self._reminder_is_open():
            raise ValidationError(self.env._("Invoice %s is not awaiting payment.", self.name))

    def _reminder_customer_answer(self, summary, comment=""):
        """In the invoice's chatter, as the customer's, and as a to-do for
        the salesperson (else the customer's, else whoever made the invoice)."""
        body = Markup("<p>%s</p>") % summary
        if comment:
            body += Markup("<p>%s</p>") % comment
        self.message_post(
            body=body,
            author_id=self.commercial_partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=Markup("<p>%s</p>") % comment if comment else "",
            user_id=(self.invoice_user_id or self.commercial_partner_id.user_id or self.create_uid).id,
        )

    def _compute_reminder_dispatch_line_count(self):
        counts = dict(
            self.env["reminder.dispatch.line"]._read_group(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)], ["res_id"], ["__count"]
            )
        )
        for move in self:
            move.reminder_dispatch_line_count = counts.get(move.id, 0)

    def action_view_reminder_dispatch_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "reminder_automation.reminder_dispatch_line_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        return action

    def _reminder_pay_signature(self, env=None):
        return hmac(env or self.env(su=True), "reminder_automation.pay_link", self.id)

    def _reminder_pay_url(self, base_url=""):
        return self._reminder_pay_urls(base_url)[self.id]

    def _reminder_pay_urls(self, base_url=""):
        """``{invoice id: "pay now" link}`` of reminders: signed, the link
        leads to the invoice's portal page (see ``controllers/portal.py``).

        A signature opens the invoice to anyone: it is issued only for the
        invoices the caller may read, themselves or through a dunning
        communication (a handler without invoicing rights sends reminders)."""
        if unreadable := self - self._reminder_readable():
            raise AccessError(
                self.env._(
                    "You may not issue a payment link for %s.",
                    ", ".join(unreadable.sudo().mapped("display_name")),
                )
            )
        env = self.env(su=True)
        return {
            move.id: f"{base_url}/reminder/invoice/{move.id}/{move._reminder_pay_signature(env)}"
            for move in self
        }

    def _reminder_readable(self):
        """The invoices of ``self`` the current user may read, or may read
        a dunning line of, in two queries at most."""
        readable = self._filtered_access("read")
        Line = self.env["reminder.dunning.line"]
        if (others := self - readable) and Line.has_access("read"):
            readable |= Line.search([("move_id", "in", others.ids)]).move_id & others
        return readable

    def _reminder_send_by_email(self, route, subject=None, body=None):
        """E-mail the invoice, with its PDF, to the recipients routed for
        invoices: To, Cc, or the PEC address through the PEC server when
        its document type requires certified mail. Odoo's own invoice
        sending knows only a list of recipients and one server. ``subject``
        and ``body`` replace the template's (those of the Send wizard)."""
        self.ensure_one()
        Send = self.env["account.move.send"]
        if not self.invoice_pdf_report_id:
            Send._generate_invoice_documents({self: Send._get_default_sending_settings(self)})
        lang = self.commercial_partner_id.lang or self.env.lang or "en_US"
        template = self.env.ref("account.email_template_edi_invoice").with_context(lang=lang)
        rendered = {
            fname: template._render_field(fname, self.ids)[self.id]
            for fname in ("subject", "body_html", "email_from")
        }
        body = body or rendered["body_html"]
        values = self.env["reminder.sending.mixin"]._reminder_routed_mail_values(
            route,
            self,
            subject or rendered["subject"],
            body,
            body_html=self.env["mail.render.mixin"]
            .with_context(lang=lang)
            ._render_encapsulate(
                "mail.mail_notification_layout",
                body,
                add_context={"company": self.company_id, "model_description": self.type_name},
                context_record=self,
            ),
            email_from=rendered["email_from"] or self.company_id.email_formatted,
            attachment_ids=[fields.Command.set(self.invoice_pdf_report_id.ids)],
        )
        mail = self.env["mail.mail"].sudo().create(values)
        self.is_move_sent = True
        return mail
