from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize

MEETING_CHANNELS = [("email", "E-mail"), ("sms", "SMS"), ("both", "E-mail and SMS")]
MEETING_INTERVAL_UNITS = [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days")]


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
    # Meeting reminders: the defaults a new meeting starts from, per audience
    reminder_meeting_customer = fields.Boolean(string="Remind Customers of Meetings")
    reminder_meeting_customer_channel = fields.Selection(
        MEETING_CHANNELS, string="Customer Reminder Channel", default="email"
    )
    reminder_meeting_customer_mail_template_id = fields.Many2one(
        "mail.template",
        string="Customer Reminder E-mail Template",
        domain="[('model', '=', 'reminder.meeting')]",
    )
    reminder_meeting_customer_sms_template_id = fields.Many2one(
        "sms.template",
        string="Customer Reminder SMS Template",
        domain="[('model', '=', 'reminder.meeting')]",
    )
    reminder_meeting_customer_interval = fields.Integer(string="Customer Reminder Before", default=1)
    reminder_meeting_customer_interval_unit = fields.Selection(
        MEETING_INTERVAL_UNITS, string="Customer Reminder Unit", default="days"
    )
    reminder_meeting_operator = fields.Boolean(string="Remind Operators of Meetings")
    reminder_meeting_operator_channel = fields.Selection(
        MEETING_CHANNELS, string="Operator Reminder Channel", default="email"
    )
    reminder_meeting_operator_mail_template_id = fields.Many2one(
        "mail.template",
        string="Operator Reminder E-mail Template",
        domain="[('model', '=', 'reminder.meeting')]",
    )
    reminder_meeting_operator_sms_template_id = fields.Many2one(
        "sms.template",
        string="Operator Reminder SMS Template",
        domain="[('model', '=', 'reminder.meeting')]",
    )
    reminder_meeting_operator_interval = fields.Integer(string="Operator Reminder Before", default=1)
    reminder_meeting_operator_interval_unit = fields.Selection(
        MEETING_INTERVAL_UNITS, string="Operator Reminder Unit", default="hours"
    )
    reminder_meeting_email_from = fields.Char(
        string="Meeting Reminder Sender",
        help="Address every meeting reminder is sent from, whatever its template says "
        "(the Reminder Sender if empty).",
    )
    reminder_meeting_mail_server_id = fields.Many2one(
        "ir.mail_server",
        string="Meeting Reminder Outgoing Server",
        help="Server the meeting reminders go through (the one Odoo picks for the sender if empty).",
    )
    reminder_meeting_cron_mode = fields.Selection(
        [("customer", "Customers Only"), ("operator", "Operators Only"), ("both", "Customers and Operators")],
        string="Meeting Reminders Sent To",
        default="both",
        required=True,
        help="Which reminders of meetings the scheduled action sends.",
    )

    @api.constrains("reminder_email_from")
    def _check_reminder_email_from(self):
        for company in self:
            if company.reminder_email_from and not email_normalize(company.reminder_email_from):
                raise ValidationError(
                    self.env._("Reminder Sender %s is not an e-mail address.", company.reminder_email_from)
                )

    @api.constrains("reminder_meeting_email_from")
    def _check_reminder_meeting_email_from(self):
        for company in self:
            sender = company.reminder_meeting_email_from
            if sender and not email_normalize(sender):
                raise ValidationError(
                    self.env._("Meeting Reminder Sender %s is not an e-mail address.", sender)
                )

    @api.constrains("reminder_meeting_customer_interval", "reminder_meeting_operator_interval")
    def _check_reminder_meeting_interval(self):
        if any(
            company.reminder_meeting_customer_interval < 0 or company.reminder_meeting_operator_interval < 0
            for company in self
        ):
            raise ValidationError(self.env._("The time before a meeting reminder cannot be negative."))

    def _reminder_email_from(self):
        """The sender of the company's reminders: its reminder address if set, else its own."""
        return self.reminder_email_from or self.email_formatted
