from odoo import fields, models


class MailTrackingEmail(models.Model):
    _inherit = "mail.tracking.email"

    reminder_customer_copy = fields.Boolean(
        readonly=True,
        help="The copy of a reminder sent to one of the customer's recipients (not a staff copy): "
        "its delivery and opening are the reminder's.",
    )

    def write(self, vals):
        """A reminder's state follows its customer copies' tracking. Other
        mail pays nothing: the flag is read from the record already loaded."""
        result = super().write(vals)
        if "state" in vals:
            self.filtered("reminder_customer_copy")._reminder_refresh_sendings()
        return result

    def _reminder_refresh_sendings(self):
        if not self:
            return
        Mixin = self.env["reminder.sending.mixin"]
        for model_name in self.env.registry.descendants([Mixin._name], "_inherit"):
            model = self.env[model_name]
            if model._abstract:
                continue
            sendings = model.sudo().search([("mail_message_id", "in", self.mail_message_id.ids)])
            self.env.add_to_compute(model._fields["state"], sendings)
