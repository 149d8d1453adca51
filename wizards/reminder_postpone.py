from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.exceptions import ValidationError


class ReminderPostpone(models.TransientModel):
    """Postpone the dunning of customers to their next action date."""

    _name = "reminder.postpone"
    _description = "Postpone Dunning"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    date = fields.Date(
        string="Next Action On",
        required=True,
        default=lambda self: fields.Date.context_today(self) + relativedelta(weeks=1),
        help="No reminder to these customers before this date.",
    )
    next_action = fields.Char(string="Next Action", help="e.g. 'Call the accountant'.")

    def action_apply(self):
        """Written as superuser: dunning handlers postpone customers they may
        read without the right to edit contacts; the customer's chatter keeps
        who did it and until when."""
        self.ensure_one()
        if self.date <= fields.Date.context_today(self):
            raise ValidationError(self.env._("The Next Action On date must be in the future."))
        customers = self.partner_ids.commercial_partner_id
        customers.check_access("read")
        customers.sudo().write(
            {"reminder_next_action_date": self.date, "reminder_next_action": self.next_action}
        )
        return {"type": "ir.actions.client", "tag": "soft_reload"}
