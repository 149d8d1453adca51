from odoo import api, fields, models
from odoo.tools import hmac


class AccountMove(models.Model):
    _inherit = "account.move"

    reminder_promise_date = fields.Date(
        string="Promise to Pay",
        copy=False,
        tracking=True,
        help="The customer promised to pay by this date: no reminder until then.",
    )
    reminder_dispute = fields.Boolean(
        string="In Dispute", copy=False, tracking=True, help="No reminder while the invoice is disputed."
    )
    reminder_dunning_line_ids = fields.One2many("reminder.dunning.line", "move_id", string="Reminders")
    reminder_dunning_level_id = fields.Many2one(
        "reminder.dunning.level", string="Last Reminder Level", compute="_compute_reminder_dunning_level_id"
    )

    @api.depends("reminder_dunning_line_ids.state")
    def _compute_reminder_dunning_level_id(self):
        for move in self:
            sent = move.reminder_dunning_line_ids.filtered(lambda line: line.state == "sent")
            move.reminder_dunning_level_id = sent.sorted("id")[-1:].level_id

    def _reminder_pay_signature(self, env=None):
        return hmac(env or self.env(su=True), "reminder_automation.pay_link", self.id)

    def _reminder_pay_url(self, base_url=""):
        return self._reminder_pay_urls(base_url)[self.id]

    def _reminder_pay_urls(self, base_url=""):
        """``{invoice id: "pay now" link}`` of reminders: signed, the link
        leads to the invoice's portal page (see ``controllers/portal.py``)."""
        env = self.env(su=True)
        return {
            move.id: f"{base_url}/reminder/invoice/{move.id}/{move._reminder_pay_signature(env)}"
            for move in self
        }
