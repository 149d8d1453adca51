from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize


class ResCompany(models.Model):
    _inherit = "res.company"

    reminder_dunning_policy_id = fields.Many2one(
        "reminder.dunning.policy",
        string="Default Dunning Policy",
        domain="[('company_id', '=', id)]",
        help="Applies to the customers without a policy of their own.",
    )
    reminder_email_from = fields.Char(
        string="Reminder Sender",
        help="Address the reminders are sent from, e.g. a credit control mailbox "
        "(the company's e-mail if empty). Policies sending as the responsible user keep theirs.",
    )

    @api.constrains("reminder_email_from")
    def _check_reminder_email_from(self):
        for company in self:
            if company.reminder_email_from and not email_normalize(company.reminder_email_from):
                raise ValidationError(
                    self.env._("Reminder Sender %s is not an e-mail address.", company.reminder_email_from)
                )

    def _reminder_email_from(self):
        """The sender of the company's reminders: its reminder address if set, else its own."""
        return self.reminder_email_from or self.email_formatted
