from odoo import api, fields, models


class SmsSms(models.Model):
    _inherit = "sms.sms"

    reminder_number_display = fields.Char(string="Phone Number", compute="_compute_reminder_number_display")

    @api.depends("number", "partner_id.country_id")
    def _compute_reminder_number_display(self):
        """The number as people write it (+40 722 123 456), not as it is
        sent (+40722123456)."""
        for sms in self:
            partner = sms.partner_id
            country = partner.country_id or partner.parent_id.country_id or self.env.company.country_id
            sms.reminder_number_display = (
                sms._phone_format_number(sms.number, country, force_format="INTERNATIONAL") or sms.number
            )
