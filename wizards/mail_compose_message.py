from odoo import models
from odoo.exceptions import UserError
from odoo.fields import Command


class MailComposeMessage(models.TransientModel):
    """The Send buttons of documents opening the composer (quotations,
    orders, purchase orders, delivery slips) propose the routed contacts
    (SPEC 1.3), as the invoice Send does (``account.move.send``)."""

    _inherit = "mail.compose.message"

    def _compute_partner_ids(self):
        super()._compute_partner_ids()
        DocumentType = self.env["reminder.document.type"]
        for composer in self:
            if document := composer._reminder_document():
                composer.partner_ids = DocumentType._reminder_send_proposal(document, composer.partner_ids)

    def _prepare_mail_values(self, res_ids):
        values = super()._prepare_mail_values(res_ids)
        if (document := self._reminder_document()) and document.id in values:
            hidden = self.env["reminder.document.type"]._reminder_send_hidden(document, self.partner_ids)
            values[document.id]["partner_ids"] = list(
                dict.fromkeys(values[document.id]["partner_ids"] + hidden.ids)
            )
        return values

    def _action_send_mail_comment(self, res_ids):
        """Certified mail is not a notification: a document whose type
        requires PEC goes to the PEC address only, through the PEC server,
        with the composer's subject, body and attachments."""
        document = self._reminder_document()
        doc_type, route = (
            self.env["reminder.document.type"]._reminder_send_routes(document).get(document.id, (None, None))
            if document
            else (None, None)
        )
        if not (doc_type and doc_type.requires_pec):
            return super()._action_send_mail_comment(res_ids)
        if route.error:
            raise UserError(route.error)
        values = self._prepare_mail_values(document.ids)[document.id]
        # posted without recipients, so that the document reacts as to any
        # sending (a quotation becomes "sent"), then e-mailed as certified mail
        message = document.message_post(
            body=values["body"],
            subject=values["subject"],
            attachment_ids=values["attachment_ids"],
            message_type="email",
            subtype_xmlid="mail.mt_note",
        )
        self.env["mail.mail"].sudo().create(
            {
                **self.env["reminder.sending.mixin"]._reminder_routed_mail_values(
                    route,
                    document,
                    values["subject"],
                    values["body"],
                    email_from=values["email_from"],
                    attachment_ids=[Command.set(values["attachment_ids"])],
                ),
                "mail_message_id": message.id,
            }
        )
        return message

    def _reminder_document(self):
        """The one document this composer e-mails from a template, as a
        Send button opens it, or None."""
        self.ensure_one()
        if not (self.model in self.env and self.template_id and self.composition_mode == "comment"):
            return None
        res_ids = self._evaluate_res_ids()
        if len(res_ids) != 1 or self.composition_batch:
            return None
        return self.env[self.model].browse(res_ids)
