from odoo import fields, models


class ReminderTodoPreview(models.TransientModel):
    """The e-mail a line of Reminders to handle would send; sends nothing."""

    _name = "reminder.todo.preview"
    _description = "Reminder to Handle: Preview"

    todo_id = fields.Many2one("reminder.todo", ondelete="cascade")
    partner_id = fields.Many2one(related="todo_id.partner_id")
    name = fields.Char(related="todo_id.name")
    level_id = fields.Many2one(related="todo_id.level_id")
    recipients = fields.Char(readonly=True)
    email_cc = fields.Char(string="CC", readonly=True)
    subject = fields.Char(readonly=True)
    body_html = fields.Html(readonly=True, sanitize=False)
    error = fields.Text(readonly=True)

    def action_send(self):
        """Send this line now, as "Send selected" does."""
        self.ensure_one()
        return self.todo_id.action_send_selected()
