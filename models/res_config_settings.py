from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    reminder_dunning_policy_id = fields.Many2one(
        related="company_id.reminder_dunning_policy_id",
        readonly=False,
        domain="[('company_id', '=', company_id)]",
    )
    reminder_email_from = fields.Char(related="company_id.reminder_email_from", readonly=False)
    reminder_meeting_customer = fields.Boolean(related="company_id.reminder_meeting_customer", readonly=False)
    reminder_meeting_customer_channel = fields.Selection(
        related="company_id.reminder_meeting_customer_channel", readonly=False
    )
    reminder_meeting_customer_mail_template_id = fields.Many2one(
        related="company_id.reminder_meeting_customer_mail_template_id", readonly=False
    )
    reminder_meeting_customer_sms_template_id = fields.Many2one(
        related="company_id.reminder_meeting_customer_sms_template_id", readonly=False
    )
    reminder_meeting_customer_interval = fields.Integer(
        related="company_id.reminder_meeting_customer_interval", readonly=False
    )
    reminder_meeting_customer_interval_unit = fields.Selection(
        related="company_id.reminder_meeting_customer_interval_unit", readonly=False
    )
    reminder_meeting_operator = fields.Boolean(related="company_id.reminder_meeting_operator", readonly=False)
    reminder_meeting_operator_channel = fields.Selection(
        related="company_id.reminder_meeting_operator_channel", readonly=False
    )
    reminder_meeting_operator_mail_template_id = fields.Many2one(
        related="company_id.reminder_meeting_operator_mail_template_id", readonly=False
    )
    reminder_meeting_operator_sms_template_id = fields.Many2one(
        related="company_id.reminder_meeting_operator_sms_template_id", readonly=False
    )
    reminder_meeting_operator_interval = fields.Integer(
        related="company_id.reminder_meeting_operator_interval", readonly=False
    )
    reminder_meeting_operator_interval_unit = fields.Selection(
        related="company_id.reminder_meeting_operator_interval_unit", readonly=False
    )
    reminder_meeting_email_from = fields.Char(
        related="company_id.reminder_meeting_email_from", readonly=False
    )
    reminder_meeting_mail_server_id = fields.Many2one(
        related="company_id.reminder_meeting_mail_server_id", readonly=False
    )
    reminder_meeting_cron_mode = fields.Selection(
        related="company_id.reminder_meeting_cron_mode", readonly=False
    )
    reminder_pec_mail_server_id = fields.Many2one(
        "ir.mail_server",
        string="PEC Outgoing Server",
        help="Certified e-mail (PEC) goes only through this server, and ordinary mail never does.",
    )

    @api.model
    def get_values(self):
        values = super().get_values()
        values["reminder_pec_mail_server_id"] = self.env["ir.mail_server"]._reminder_pec_servers()[:1].id
        return values

    def set_values(self):
        """Mark the chosen server as the only PEC one, only when the choice
        changed: saving other settings leaves further PEC servers alone."""
        super().set_values()
        servers = self.env["ir.mail_server"]._reminder_pec_servers()
        chosen = self.reminder_pec_mail_server_id
        if chosen != servers[:1]:
            (servers - chosen).reminder_is_pec = False
            chosen.reminder_is_pec = True

    def action_reminder_mail_templates(self):
        """The e-mail templates of the reminders, those of this module's models."""
        action = self.env["ir.actions.act_window"]._for_xml_id("mail.action_email_template_tree_all")
        action["domain"] = [("model", "=like", "reminder.%")]
        return action
