from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Day offsets beyond ten years are typing mistakes, and far enough ones make
# date arithmetic overflow.
MAX_DAYS = 3650


class ReminderDunningLevel(models.Model):
    """One step of a dunning policy: when, through which channels, with
    which template. Levels are taken in order and never skipped."""

    _name = "reminder.dunning.level"
    _description = "Dunning Level"
    _order = "policy_id, days, id"

    name = fields.Char(required=True, translate=True)
    policy_id = fields.Many2one("reminder.dunning.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    days = fields.Integer(
        string="Days from Due Date",
        required=True,
        help="Negative: a courtesy reminder that many days before the due date. "
        "Positive: that many days after it.",
    )
    min_days_since_previous = fields.Integer(
        string="Days After Previous Level",
        default=7,
        help="An invoice reaches this level only that many days after its previous reminder, "
        "even if it is already late enough for it.",
    )
    channel_email = fields.Boolean(string="E-mail", default=True)
    channel_sms = fields.Boolean(string="SMS")
    channel_letter = fields.Boolean(string="Printed Letter")
    channel_activity = fields.Boolean(string="Manual Activity")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'reminder.dunning.communication')]",
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain="[('model', '=', 'reminder.dunning.communication')]",
    )
    activity_type_id = fields.Many2one("mail.activity.type", string="Activity Type")
    activity_user_id = fields.Many2one(
        "res.users",
        string="Activity Assigned To",
        help="Empty: the invoices' salesperson, else the policy's responsible.",
    )
    attach_invoices = fields.Boolean(string="Attach Invoice PDFs")
    attach_statement = fields.Boolean(string="Attach Account Statement")
    repeat_days = fields.Integer(
        string="Repeat Every (Days)",
        help="Last level only: send it again every that many days while the invoice stays unpaid.",
    )
    is_last = fields.Boolean(compute="_compute_is_last")
    channel_names = fields.Char(string="Channels", compute="_compute_channel_names")

    _days_unique = models.Constraint(
        "UNIQUE(policy_id, days)", "Two levels of a policy cannot have the same number of days."
    )
    _repeat_positive = models.Constraint("CHECK(repeat_days >= 0)", "The repeat interval cannot be negative.")
    _min_days_since_previous_positive = models.Constraint(
        "CHECK(min_days_since_previous >= 0)", "The days after the previous level cannot be negative."
    )

    @api.depends("policy_id.level_ids.days")
    def _compute_is_last(self):
        for level in self:
            level.is_last = level == level.policy_id.level_ids.sorted("days")[-1:]

    @api.depends("channel_email", "channel_sms", "channel_letter", "channel_activity")
    def _compute_channel_names(self):
        """The channels in one column: four check boxes do not fit a list."""
        channels = ("channel_email", "channel_sms", "channel_letter", "channel_activity")
        labels = {fname: self._fields[fname]._description_string(self.env) for fname in channels}
        for level in self:
            level.channel_names = ", ".join(labels[fname] for fname in channels if level[fname])

    @api.constrains("days", "min_days_since_previous", "repeat_days")
    def _check_day_bounds(self):
        for level in self:
            for fname in ("days", "min_days_since_previous", "repeat_days"):
                if abs(level[fname]) > MAX_DAYS:
                    raise ValidationError(
                        self.env._(
                            "%(field)s of level %(level)s must be between -%(max)s and %(max)s days.",
                            field=self._fields[fname]._description_string(self.env),
                            level=level.name,
                            max=MAX_DAYS,
                        )
                    )

    @api.constrains("repeat_days", "days", "policy_id")
    def _check_repeat_last_level_only(self):
        for level in self.filtered("repeat_days"):
            if not level.is_last:
                raise ValidationError(
                    self.env._("Only the last level of a policy can repeat (%s).", level.name)
                )

    @api.constrains(
        "channel_email",
        "channel_sms",
        "channel_letter",
        "channel_activity",
        "mail_template_id",
        "sms_template_id",
    )
    def _check_channels(self):
        for level in self:
            if not (
                level.channel_email or level.channel_sms or level.channel_letter or level.channel_activity
            ):
                raise ValidationError(self.env._("Level %s needs at least one channel.", level.name))
            if level.channel_email and not level.mail_template_id:
                raise ValidationError(
                    self.env._("Level %s sends e-mails: choose its E-mail Template.", level.name)
                )
            if level.channel_sms and not level.sms_template_id:
                raise ValidationError(self.env._("Level %s sends SMS: choose its SMS Template.", level.name))
