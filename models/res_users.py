from odoo import api, models
from odoo.exceptions import UserError

HANDLER_GROUP = "reminder_automation.group_reminder_dunning"
TODO_ACTION = "reminder_automation.action_reminder_todo_open"


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._reminder_land_new_handlers_on_todo()
        return users

    def write(self, vals):
        if "group_ids" not in vals:
            return super().write(vals)
        handlers = self.filtered(lambda user: user.has_group(HANDLER_GROUP))
        res = super().write(vals)
        (self - handlers)._reminder_land_new_handlers_on_todo()
        return res

    def _reminder_land_new_handlers_on_todo(self):
        """Dunning handlers without a home action of their own land on
        Reminders to handle when they log in (Odoo's Home Action, which they
        or an administrator can change)."""
        if handlers := self.filtered(lambda user: not user.action_id and user.has_group(HANDLER_GROUP)):
            handlers.action_id = self.env.ref(TODO_ACTION).id

    def action_reminder_land_on_todo(self):
        """On request: Reminders to handle becomes the home action of these
        dunning handlers, replacing the one they had."""
        if others := self.filtered(lambda user: not user.has_group(HANDLER_GROUP)):
            raise UserError(
                self.env._(
                    "Only dunning handlers can land on Reminders to handle: %(users)s.",
                    users=", ".join(others.mapped("name")),
                )
            )
        self.action_id = self.env.ref(TODO_ACTION).id
