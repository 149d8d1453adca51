from odoo import api, fields, models


class ReminderRecurrenceRuleWizard(models.TransientModel):
    """Confirms a change of rule: the future occurrences not done yet are
    replaced by those of the new rule; done ones are kept."""

    _name = "reminder.recurrence.rule.wizard"
    _description = "Change Recurrence Rule"
    _inherit = ["reminder.recurrence.rule"]

    recurrence_id = fields.Many2one("reminder.recurrence", required=True, ondelete="cascade")
    replaced_count = fields.Integer(string="Replaced", compute="_compute_counts")
    kept_count = fields.Integer(string="Kept", compute="_compute_counts")

    @api.model
    def default_get(self, fields):
        values = super().default_get(fields)
        recurrence = self.env["reminder.recurrence"].browse(values.get("recurrence_id"))
        if recurrence:
            values.update(recurrence._rule_values())
        return values

    @api.depends("recurrence_id")
    def _compute_counts(self):
        for wizard in self:
            if not wizard.recurrence_id:
                wizard.replaced_count = wizard.kept_count = 0
                continue
            today = wizard.recurrence_id._today()
            future = wizard.recurrence_id.occurrence_ids.filtered(lambda o, today=today: o.date >= today)
            wizard.replaced_count = len(future.filtered(lambda o: o.state != "done"))
            wizard.kept_count = len(future) - wizard.replaced_count

    def action_confirm(self):
        self.ensure_one()
        self.recurrence_id.write(self._rule_values())
        return {"type": "ir.actions.act_window_close"}
