from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """Marking a recurrence's activity done marks its occurrence done and,
        for a recurring invoice, issues the invoice first: if issuing fails,
        the activity stays to do."""
        occurrences = self._reminder_occurrences().filtered(lambda o: o.state != "done")
        occurrences._mark_done()
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def unlink(self):
        self._reminder_occurrences().filtered(lambda o: o.state == "planned").state = "cancelled"
        return super().unlink()

    def _reminder_occurrences(self):
        return self.env["reminder.recurrence.occurrence"].sudo().search([("activity_id", "in", self.ids)])
