import logging

from odoo import api, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class ReportReminderDunningLetter(models.AbstractModel):
    """The printed letter of a dunning communication: the text of its
    level's e-mail template (what the e-mail of the level says, its item
    table without "Pay now" links), then how to pay each invoice: its
    payment reference, the company's bank account and, where the company
    prints them on invoices, the payment QR code."""

    _name = "report.reminder_automation.report_dunning_letter"
    _description = "Dunning Letter"

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self.env["reminder.dunning.communication"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": docs._name,
            "docs": docs,
            "bodies": self._letter_bodies(docs),
            "payments": {comm.id: self._letter_payments(comm) for comm in docs},
        }

    @api.model
    def _letter_bodies(self, docs):
        """``{communication id: body}`` of the level's e-mail template, one
        rendering per template and language; none for a level without one
        (the letter then says it in its own words)."""
        bodies = {}
        for (template, lang), comms in docs.grouped(
            lambda comm: (comm.level_id.mail_template_id, comm.partner_id.lang or self.env.lang)
        ).items():
            if template:
                rendered = template.with_context(lang=lang, reminder_letter=True)._render_field(
                    "body_html", comms.ids
                )
                bodies.update(rendered)
        return bodies

    @api.model
    def _letter_payments(self, comm):
        """How to pay each invoice of ``comm``: ``{"rows": [{line, reference,
        bank, qr_code}] in due date order, "has_bank": bool, "has_qr_code":
        bool}``, the flags saying which columns the letter prints."""
        lines = comm.line_ids.filtered(lambda line: not line.cancelled).sorted(
            lambda line: (line.invoice_date_due, line.id)
        )
        rows = [
            {
                "line": line,
                "reference": line.move_id.payment_reference or line.move_id.name,
                "bank": line.move_id.partner_bank_id,
                "qr_code": self._letter_qr_code(line.move_id),
            }
            for line in lines
        ]
        return {
            "rows": rows,
            "has_bank": any(row["bank"] for row in rows),
            "has_qr_code": any(row["qr_code"] for row in rows),
        }

    @api.model
    def _letter_qr_code(self, move):
        """The payment QR code Odoo prints on ``move`` (a data URL), or None
        when the company prints none or its bank account cannot make one: a
        letter is never held back for want of a QR code."""
        if not (move.display_qr_code and move.amount_residual):
            return None
        try:
            return move._generate_qr_code(silent_errors=True)
        except UserError as error:
            _logger.info("No payment QR code for %s: %s", move.name, error)
            return None
