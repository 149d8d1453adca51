import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

DISPATCH_QWEB_EXPRESSIONS = (
    "object.partner_id.name",
    "object.company_id.name",
    "object.document_name",
    "object.document_type_id.name",
    "object.batch_id.subject",
    "object.batch_id.body_html",
)


class ReminderDispatchLine(models.Model):
    """One sending of a dispatch batch: a document (``res_model``,
    ``res_id``) of a document type, or a set of files (``attachment_ids``,
    generic documents), to a partner's routed contacts.

    The recipients are routed by the document type (subscribed contacts,
    In Copy Of, PEC when the type requires it); the subject and body come
    from the type's template, rendered on the line; the PDF is the one Odoo
    stored for the document, else the type's report, printed once and kept
    on the line (``attachment_id``)."""

    _name = "reminder.dispatch.line"
    _description = "Dispatch Line"
    _inherit = ["reminder.sending.mixin"]
    _order = "batch_id desc, id"
    _rec_name = "document_name"

    batch_id = fields.Many2one("reminder.dispatch.batch", required=True, index=True, ondelete="cascade")
    document_type_id = fields.Many2one(
        "reminder.document.type", string="Document Type", required=True, index=True, ondelete="restrict"
    )
    res_model = fields.Char(string="Document Model", readonly=True, index=True)
    res_id = fields.Many2oneReference(
        string="Document ID", model_field="res_model", readonly=True, index=True
    )
    document_ref = fields.Reference(
        selection="_selection_document_ref", string="Document", compute="_compute_document_ref"
    )
    document_name = fields.Char(string="Document Name", readonly=True)
    document_date = fields.Date(readonly=True)
    attachment_id = fields.Many2one(
        "ir.attachment",
        string="PDF",
        readonly=True,
        copy=False,
        help="The document's PDF: the one Odoo keeps of it, else printed once for this line.",
    )
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "reminder_dispatch_line_attachment_rel",
        "line_id",
        "attachment_id",
        string="Files",
        help="The files of a generic document.",
    )

    @api.model
    def _selection_document_ref(self):
        return [(model, self.env[model]._description) for model in self.env.registry if model in self.env]

    @api.depends("res_model", "res_id")
    def _compute_document_ref(self):
        for line in self:
            installed = line.res_model in self.env and line.res_id
            line.document_ref = f"{line.res_model},{line.res_id}" if installed else False

    def mail_allowed_qweb_expressions(self):
        # fast regex rendering (no QWeb compilation per mail) of templates
        # using only these placeholders
        return super().mail_allowed_qweb_expressions() + DISPATCH_QWEB_EXPRESSIONS

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if self.filtered(lambda line: line.send_state == "queued"):
            raise UserError(self.env._("A dispatch line already sent cannot be removed."))

    # ------------------------------------------------------------------
    # Sending hooks
    # ------------------------------------------------------------------

    def _reminder_document_type(self):
        # one type: the lines are routed and sent grouped by type
        return self.document_type_id[:1]

    def _reminder_mail_template(self):
        return self.document_type_id.mail_template_id

    def _reminder_attachment_ids(self):
        return (self.attachment_id | self.attachment_ids).ids

    def _reminder_chatter_record(self):
        """The document, so that its chatter keeps what was sent."""
        return self.document_ref or self.partner_id

    def _reminder_route(self, channel="email"):
        """Route each document type's lines with that type."""
        # one query: read lazily, 10,000 lines would take one per thousand
        self.fetch(["document_type_id", "company_id", "partner_id"])
        routes = {}
        for lines in self.grouped("document_type_id").values():
            routes.update(super(ReminderDispatchLine, lines)._reminder_route(channel))
        return routes

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _dispatch_send(self):
        """Send a batch of lines: attach each document's PDF, then e-mail
        each type's lines. A line that cannot be printed, routed or rendered
        keeps its error; the others go out."""
        todo = self.filtered(lambda line: line.send_state == "draft")
        untemplated = todo.filtered(lambda line: not line.document_type_id.mail_template_id)
        for doc_type, lines in untemplated.grouped("document_type_id").items():
            lines._reminder_set_error(
                self.env._("Document type %s has no e-mail template: choose one on the type.", doc_type.name)
            )
        todo -= untemplated
        todo._dispatch_attach_pdfs()
        for lines in (
            todo.filtered(lambda line: line.send_state == "draft").grouped("document_type_id").values()
        ):
            lines._reminder_send_emails()._dispatch_mark_moves_sent()

    def _dispatch_mark_moves_sent(self):
        """The invoices and credit notes e-mailed are marked sent, as Odoo's
        Send marks them (``is_move_sent``: its Sent filter and status)."""
        moves = self.env["account.move"].browse(
            self.filtered(lambda line: line.res_model == "account.move").mapped("res_id")
        )
        moves.sudo().filtered(lambda move: not move.is_move_sent).is_move_sent = True

    def _dispatch_attach_pdfs(self):
        """Give every line of a document its PDF: the one Odoo stores for it
        (``pdf_field`` of the type), else one a line of the same document
        already printed, else the type's report, printed now (one document
        per wkhtmltopdf call, see the dunning letters), never twice."""
        lines = self.filtered(lambda line: line.res_model and not line.attachment_id)
        lines._dispatch_reuse_pdfs()
        for doc_type, type_lines in (
            lines.filtered(lambda line: not line.attachment_id).grouped("document_type_id").items()
        ):
            if not doc_type.report_id:
                type_lines._reminder_set_error(
                    self.env._("Document type %s has no report to print its PDF.", doc_type.name)
                )
                continue
            for line in type_lines:
                line._dispatch_print_pdf()

    def _dispatch_reuse_pdfs(self):
        """The stored PDFs of the documents, in one query per type, and the
        ones other lines printed, in one query."""
        for doc_type, lines in self.grouped("document_type_id").items():
            if doc_type.pdf_field:
                documents = self.env[doc_type.res_model].sudo().browse(lines.mapped("res_id"))
                stored = {doc.id: doc[doc_type.pdf_field] for doc in documents}
                for line in lines:
                    if pdf := stored.get(line.res_id):
                        line.attachment_id = pdf
        missing = self.filtered(lambda line: not line.attachment_id)
        if not missing:
            return
        self.flush_model(["attachment_id", "res_model", "res_id", "document_type_id"])
        printed = dict(
            self.env.execute_query(
                SQL(
                    """SELECT DISTINCT ON (l.id) l.id, p.attachment_id
                         FROM reminder_dispatch_line l
                         JOIN reminder_dispatch_line p
                           ON p.res_model = l.res_model AND p.res_id = l.res_id
                          AND p.document_type_id = l.document_type_id AND p.attachment_id IS NOT NULL
                        WHERE l.id = ANY(%s)""",
                    missing.ids,
                )
            )
        )
        for line in missing:
            if line.id in printed:
                line.attachment_id = printed[line.id]

    def _dispatch_print_pdf(self):
        """Print the document with its type's report and keep the PDF on the
        line; a failure is the line's error."""
        self.ensure_one()
        # in the line's company: a statement shows its open receivables
        report = self.document_type_id.report_id.sudo().with_company(self.company_id)
        try:
            with self.env.cr.savepoint():
                pdf, _type = report._render_qweb_pdf(report.report_name, [self.res_id])
                if not pdf.startswith(b"%PDF"):
                    raise UserError(self.env._("The report did not return a PDF."))
                self.attachment_id = (
                    self.env["ir.attachment"]
                    .sudo()
                    .create(
                        {
                            "name": f"{(self.document_name or report.name).replace('/', '_')}.pdf",
                            "raw": pdf,
                            "mimetype": "application/pdf",
                            "res_model": self._name,
                            "res_id": self.id,
                        }
                    )
                )
        except Exception as error:  # noqa: BLE001 - reported on the line, never fatal
            _logger.info("Dispatch line %s: PDF failed: %s", self.id, error)
            self._reminder_set_error(self.env._("The PDF could not be printed: %s", error))

    def action_retry(self):
        """Route and send failed lines again once their data is fixed (a
        contact's address, the type's report), right away when their batch
        was sent."""
        if self.filtered(lambda line: line.send_state != "error"):
            raise UserError(self.env._("Only dispatch lines in error can be retried."))
        self.mapped("batch_id")._check_dispatch_rights(self.document_type_id)
        self._reminder_write_state("draft", error_message=False)
        self._reminder_resolve_recipients()
        self.filtered(
            lambda line: line.send_state == "draft" and line.batch_id.state in ("sending", "done")
        ).sudo()._dispatch_send()
        self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
        return True

    def action_open_document(self):
        self.ensure_one()
        return self.env[self.res_model].browse(self.res_id)._get_records_action()

    def action_download_pdf(self):
        self.ensure_one()
        if not self.attachment_id:
            raise UserError(self.env._("This line has no PDF yet: it is printed when the batch is sent."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.attachment_id.id}?download=true",
            "target": "self",
        }
