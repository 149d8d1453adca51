from odoo import models


class CalendarAttendee(models.Model):
    """An attendee who declines a meeting gets no operator reminder; one who
    accepts again gets it back."""

    _inherit = "calendar.attendee"

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals:
            self.event_id._reminder_sync()
        return result
