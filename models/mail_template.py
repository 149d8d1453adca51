from odoo import fields, models


class MailTemplate(models.Model):
    _inherit = "mail.template"

    email_bcc = fields.Char(
        string="Bcc",
        help="Blind copies: comma-separated addresses receiving every e-mail sent from this template "
        "(reminders and Odoo's own sending from the template), hidden from the other recipients.",
    )

    def send_mail_batch(
        self, res_ids, force_send=False, raise_exception=False, email_values=None, email_layout_xmlid=False
    ):
        """The template's blind copies go with every mail it generates, unless
        the caller gives its own."""
        if self.email_bcc:
            email_values = {"email_bcc": self.email_bcc, **(email_values or {})}
        return super().send_mail_batch(
            res_ids,
            force_send=force_send,
            raise_exception=raise_exception,
            email_values=email_values,
            email_layout_xmlid=email_layout_xmlid,
        )
