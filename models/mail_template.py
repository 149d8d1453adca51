from odoo import fields, models


class MailTemplate(models.Model):
    _inherit = "mail.template"

    email_bcc = fields.Char(
        string="Bcc",
        help="Blind copies: comma-separated addresses receiving every e-mail of the reminders "
        "using this template, hidden from the other recipients.",
    )
