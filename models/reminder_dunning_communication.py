from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, get_lang

from ..tools.item_table import ItemTable, amount_formatter

DUNNING_QWEB_EXPRESSIONS = (
    "object.partner_id.name",
    "object.company_id.name",
    "object.level_id.name",
    "object.item_table_html",
    "object.total_due_text",
    "object.sender_signature",
    "object.item_count",
)


class ReminderDunningCommunication(models.Model):
    """What one customer (or one invoice) receives at one dunning run."""

    _name = "reminder.dunning.communication"
    _description = "Dunning Communication"
    _inherit = ["reminder.sending.mixin", "mail.thread"]
    _order = "run_id desc, id"

    run_id = fields.Many2one("reminder.dunning.run", required=True, ondelete="cascade", index=True)
    policy_id = fields.Many2one(related="run_id.policy_id", store=True, index=True)
    level_id = fields.Many2one(
        "reminder.dunning.level",
        required=True,
        ondelete="restrict",
        help="The highest level among the communication's invoices: it decides template and channels.",
    )
    line_ids = fields.One2many("reminder.dunning.line", "communication_id", string="Invoices")
    item_count = fields.Integer(compute="_compute_totals")
    total_due_text = fields.Char(string="Total Due", compute="_compute_totals")
    item_table_html = fields.Html(compute="_compute_item_table_html", sanitize=False)
    sender_signature = fields.Html(compute="_compute_sender_signature", sanitize=False)
    letter_attachment_id = fields.Many2one("ir.attachment", string="Letter", readonly=True, copy=False)
    activity_id = fields.Many2one("mail.activity", readonly=True, copy=False)

    @api.constrains("partner_id", "company_id")
    def _check_invoices_of_customer(self):
        self.line_ids._check_invoice_of_communication()

    @api.depends("partner_id", "level_id")
    def _compute_display_name(self):
        for comm in self:
            comm.display_name = f"{comm.partner_id.display_name} - {comm.level_id.name}"

    @api.depends("line_ids.cancelled", "line_ids.residual")
    @api.depends_context("lang")
    def _compute_totals(self):
        """The number of invoices and the total due per currency (%Importo)."""
        amount = self._amount_formatter()
        items = self._items()
        for comm in self:
            totals = defaultdict(float)
            for *_item, residual, currency_id in items[comm.id]:
                totals[currency_id] += residual
            comm.item_count = len(items[comm.id])
            comm.total_due_text = " + ".join(amount(total, currency) for currency, total in totals.items())

    @api.depends("line_ids.cancelled", "line_ids.days_late")
    @api.depends_context("lang", "reminder_letter")
    def _compute_item_table_html(self):
        """The item table of seed 003 (%Partita), one row per invoice with
        its pay-now link (none in a printed letter: context key
        ``reminder_letter``). The links are signed: an invoice gets its portal
        token when one is followed, not 10,000 invoices written per run."""
        amount = self._amount_formatter()
        date_format = get_lang(self.env).date_format
        items = self._items()
        move_ids = {item[0] for comm_items in items.values() for item in comm_items}
        pay_urls = self.env["account.move"].browse(move_ids)._reminder_pay_urls(self.browse().get_base_url())
        table = ItemTable(self.env, pay_links=not self.env.context.get("reminder_letter"))

        def row(move_id, number, invoice_date, due_date, days_late, residual, currency_id):
            return {
                "number": number,
                "date": invoice_date.strftime(date_format) if invoice_date else "",
                "due": due_date.strftime(date_format),
                "days_late": max(days_late, 0),
                "residual": amount(residual, currency_id),
                "url": pay_urls[move_id],
            }

        for comm in self:
            comm.item_table_html = table.render(row(*item) for item in items[comm.id])

    def _items(self):
        """``{communication id: [(invoice id, number, date, due date, days
        late, amount due, currency id)]}`` of the lines not cancelled, read
        in one query: through the ORM, 10,000 lines and their invoices cost
        a second.

        Under the reader's rights: only the communications the reader may
        read, and of each only the invoices of its own customer and company
        (as the lines' constraint requires, and whatever SQL inserted)."""
        self.env["reminder.dunning.line"].flush_model()
        self.flush_model(["partner_id", "company_id"])
        self.env["account.move"].flush_model(
            ["name", "invoice_date", "invoice_date_due", "currency_id", "company_id", "commercial_partner_id"]
        )
        items = defaultdict(list)
        for comm_id, *item in self.env.execute_query(
            SQL(
                """SELECT l.communication_id, m.id, m.name, m.invoice_date, m.invoice_date_due,
                          l.days_late, l.residual, m.currency_id
                     FROM reminder_dunning_line l
                     JOIN reminder_dunning_communication c ON c.id = l.communication_id
                     JOIN account_move m ON m.id = l.move_id
                          AND m.company_id = c.company_id AND m.commercial_partner_id = c.partner_id
                    WHERE l.communication_id = ANY(%s) AND NOT l.cancelled
                 ORDER BY l.communication_id, m.invoice_date_due, l.id""",
                self._filtered_access("read").ids,
            )
        ):
            items[comm_id].append(item)
        return items

    def _amount_formatter(self):
        """``format_amount`` of an amount and a currency id, for the amounts
        of many communications: one ``amount_formatter`` per currency."""
        formatters = {}

        def format_one(value, currency_id):
            if currency_id not in formatters:
                currency = self.env["res.currency"].browse(currency_id)
                formatters[currency_id] = amount_formatter(self.env, currency)
            return formatters[currency_id](value)

        return format_one

    @api.depends("policy_id.sender", "policy_id.responsible_id")
    def _compute_sender_signature(self):
        for comm in self:
            user = comm.policy_id.responsible_id if comm.policy_id.sender == "responsible" else False
            comm.sender_signature = user.signature if user else comm.company_id.name

    def mail_allowed_qweb_expressions(self):
        # Fast regex rendering (no QWeb compilation per mail) for templates
        # using only these placeholders.
        return super().mail_allowed_qweb_expressions() + DUNNING_QWEB_EXPRESSIONS

    # ------------------------------------------------------------------
    # Sending hooks
    # ------------------------------------------------------------------

    def _reminder_document_type(self):
        return self.env.ref("reminder_automation.document_type_dunning_letter")

    def _reminder_function_patterns(self):
        return self.policy_id.function_patterns or False

    def _reminder_mail_template(self):
        return self.level_id.mail_template_id

    def _reminder_sms_template(self):
        return self.level_id.sms_template_id

    def _reminder_email_from(self):
        return self.policy_id._reminder_email_from() or super()._reminder_email_from()

    def _reminder_copy_per_contact(self):
        return self.policy_id.email_copies == "per_contact"

    def _reminder_extra_cc(self):
        cc = [self.policy_id.cc_email] if self.policy_id.cc_email else []
        if self.policy_id.cc_salesperson:
            salespeople = self._open_invoices().invoice_user_id.filtered(
                lambda user: not user._is_superuser()
            )
            cc += salespeople.partner_id.mapped("email_formatted")
        return cc

    def _open_invoices(self):
        """The invoices the communication is about: those of its lines not
        cancelled (paid since preparation, for one). As superuser: the engine
        reads them (salesperson, PDF) whoever sends, a dunning handler
        without invoicing rights too."""
        return self.line_ids.filtered(lambda line: not line.cancelled).move_id.sudo()

    def _reminder_attachment_ids(self):
        attachments = self.env["ir.attachment"]
        if self.level_id.attach_invoices:
            attachments |= self._open_invoices().invoice_pdf_report_id
        if self.level_id.attach_statement:
            attachments |= self._statement_attachment()
        return attachments.ids

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _dunning_send(self):
        """Send a batch: drop what was paid meanwhile, then every channel of
        each communication's level. Errors stay on their communication."""
        self._drop_paid_lines()
        todo = self.filtered(lambda c: c.send_state == "draft")
        printed = todo.filtered("run_id.letters_only")
        printed._each_customer_apart(lambda comms: comms._render_letters())
        todo -= printed
        todo._ensure_invoice_pdfs()
        todo.filtered(lambda c: c.level_id.channel_email)._reminder_send_emails()
        todo.filtered(lambda c: c.level_id.channel_sms)._reminder_send_sms()
        todo.filtered(lambda c: c.level_id.channel_letter)._each_customer_apart(
            lambda comms: comms._render_letters()
        )
        todo.filtered(lambda c: c.level_id.channel_activity)._each_customer_apart(
            lambda comms: comms._schedule_activities()
        )

    def _dunning_resolve_recipients(self):
        """At preparation: who receives each communication, and which
        customers nobody can receive, shown in the review before sending.
        Printed now, they go to the customer's address: nothing to route."""
        routed = self.filtered(lambda comm: not comm.run_id.letters_only)
        routed.filtered("level_id.channel_email")._reminder_resolve_recipients("email")
        routed.filtered(
            lambda comm: comm.level_id.channel_sms and not comm.level_id.channel_email
        )._reminder_resolve_recipients("sms")

    def action_retry(self):
        """Route failed communications again once their data is fixed, and
        send them if their run has been sent."""
        if self.filtered(lambda comm: comm.send_state != "error"):
            raise UserError(self.env._("Only communications in error can be retried."))
        if superseded := self.filtered(lambda comm: not comm.item_count):
            raise UserError(
                self.env._(
                    "The invoices of %s have been reminded by a later run since.",
                    ", ".join(superseded.mapped("display_name")),
                )
            )
        self._reminder_write_state("draft", error_message=False)
        self._dunning_resolve_recipients()
        self.filtered(
            lambda comm: comm.send_state == "draft" and comm.run_id.state in ("sending", "done")
        )._dunning_send()
        self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
        return True

    def action_open_partner(self):
        """The customer whose contacts an error asks to fix."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }

    def _each_customer_apart(self, channel):
        """Run ``channel`` on the batch; when it fails, on each communication
        alone, so that one customer's failure is that customer's error and
        never the whole send's."""
        try:
            with self.env.cr.savepoint():
                channel(self)
        except Exception as error:  # noqa: BLE001 - reported on the communication
            if len(self) == 1:
                self._reminder_set_error(str(error))
                return
            for comm in self:
                comm._each_customer_apart(channel)

    def _drop_paid_lines(self):
        """Cancel the lines of invoices paid (or reset) since preparation, in
        one query; a communication left without lines is cancelled."""
        self.env.flush_all()
        paid = self._lines_written(
            self.env.execute_query(
                SQL(
                    """UPDATE reminder_dunning_line l SET cancelled = TRUE
                         FROM account_move m
                        WHERE m.id = l.move_id AND l.communication_id = ANY(%s) AND NOT l.cancelled
                          AND (m.state != 'posted' OR m.payment_state NOT IN ('not_paid', 'partial')
                               OR m.amount_residual <= 0)
                    RETURNING l.id""",
                    self.ids,
                )
            ),
            ["cancelled"],
        )
        if not paid:
            return
        emptied = self.filtered(lambda comm: not comm.item_count)
        emptied._reminder_write_state("cancelled", error_message=self.env._("Paid before sending."))

    def _ensure_invoice_pdfs(self):
        """Render the missing invoice PDFs once, the way Odoo stores them
        when it sends an invoice: later runs reuse them."""
        moves = self.filtered("level_id.attach_invoices")._open_invoices()
        Send = self.env["account.move.send"]
        for move in moves.filtered(lambda m: not m.invoice_pdf_report_id):
            # one document per wkhtmltopdf call: several in one call need a
            # reachable HTTP server (PLATFORM.md)
            Send._generate_invoice_documents({move: Send._get_default_sending_settings(move)})

    def _render_letters(self):
        """One PDF letter per communication (wkhtmltopdf renders one document
        per call, see ``_ensure_invoice_pdfs``), stored in one create."""
        report = self.env.ref("reminder_automation.action_report_dunning_letter")
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": f"{comm.partner_id.name} - {comm.level_id.name}.pdf",
                    "raw": report._render_qweb_pdf(report.report_name, comm.ids)[0],
                    "mimetype": "application/pdf",
                    "res_model": comm._name,
                    "res_id": comm.id,
                }
                for comm in self
            ]
        )
        for comm, attachment in zip(self, attachments, strict=True):
            comm.letter_attachment_id = attachment
        self._mark_queued()

    def _mark_queued(self):
        """Handed over to a channel that cannot fail on routing (letter, activity)."""
        self.filtered(lambda comm: not comm.date_sent).date_sent = fields.Datetime.now()
        self._reminder_write_state("queued")

    def _schedule_activities(self):
        values = []
        for comm in self:
            user = (
                comm.level_id.activity_user_id
                or comm._open_invoices().invoice_user_id[:1]
                or comm.policy_id.responsible_id
            )
            values.append(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": comm.partner_id.id,
                    "activity_type_id": (
                        comm.level_id.activity_type_id or self.env.ref("mail.mail_activity_data_call")
                    ).id,
                    "summary": self.env._(
                        "%(level)s: %(total)s due", level=comm.level_id.name, total=comm.total_due_text
                    ),
                    "user_id": user.id,
                }
            )
        # the engine schedules them, on the customer a handler may not edit
        activities = self.env["mail.activity"].sudo().create(values)
        for comm, activity in zip(self, activities, strict=True):
            comm.activity_id = activity
        self._mark_queued()

    def _statement_attachment(self):
        report = self.env.ref("reminder_automation.action_report_partner_statement")
        pdf, _type = report._render_qweb_pdf(report.report_name, self.partner_id.ids)
        return self.env["ir.attachment"].create(
            {
                "name": self.env._("Statement %s.pdf", self.partner_id.name),
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )

    def _cancel_lines(self):
        """Cancel the lines in one query: the ORM writes a hundred rows a query."""
        if not self:
            return
        self.env.flush_all()
        cancelled = self.env.execute_query(
            SQL(
                """UPDATE reminder_dunning_line SET cancelled = TRUE
                    WHERE communication_id = ANY(%s) AND NOT cancelled
                RETURNING id""",
                self.ids,
            )
        )
        self._lines_written(cancelled, ["cancelled"])

    def _lines_written(self, rows, fnames):
        """The lines whose ids are ``rows``, after their ``fnames`` were
        written in SQL: the cache and what depends on them are refreshed."""
        lines = self.env["reminder.dunning.line"].browse([row[0] for row in rows])
        lines.invalidate_recordset(fnames)
        lines.modified(fnames)
        return lines

    def action_cancel(self):
        """Cancelled, its invoices are free for the next run."""
        super().action_cancel()
        self._cancel_lines()

    def action_download_letter(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.letter_attachment_id.id}?download=true",
        }

    def action_preview(self):
        """Dry run: the e-mail this communication would send, nothing sent."""
        self.ensure_one()
        wizard = self.env["reminder.dunning.preview"].create({"communication_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Preview"),
        }
