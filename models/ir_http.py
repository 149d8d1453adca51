from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """Dunning handlers without a home action of their own land on
        Reminders to handle at each login. Nothing is written on the user:
        choosing another Home Action in the preferences wins."""
        info = super().session_info()
        user = self.env.user
        if (
            "home_action_id" in info
            and not info["home_action_id"]
            and user._is_internal()
            and user.has_group("reminder_automation.group_reminder_dunning")
        ):
            action = self.env.ref("reminder_automation.action_reminder_todo_open", raise_if_not_found=False)
            info["home_action_id"] = action.id if action else False
        return info
