import logging

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, format_date, format_datetime

from ..tools.cron_batch import commit_progress, lock_ids
from .res_partner import RecipientRoute

_logger = logging.getLogger(__name__)

CRON_BATCH = 500
# day and month spelt out in the recipient's language, e.g. "piątek 25 października 2030, 12:00"
DATE_FORMAT = "EEEE d MMMM y"
DATETIME_FORMAT = f"{DATE_FORMAT}, HH:mm"


class ReminderMeeting(models.Model):
    """A reminder of a meeting to one participant on one channel: the
    customer side (the meeting's contact person, else its customer) or an
    operator (an attendee of the company's side).

    Rows follow their meeting (``calendar.event._reminder_sync``); the cron
    sends those due, each once, through the sending core shared by every
    engine (routing, rendering, queueing, tracking)."""

    _name = "reminder.meeting"
    _inherit = ["reminder.sending.mixin"]
    _description = "Meeting Reminder"
    _order = "date_scheduled desc, id desc"
    _rec_name = "event_id"

    event_id = fields.Many2one(
        "calendar.event", string="Meeting", required=True, readonly=True, index=True, ondelete="cascade"
    )
    audience = fields.Selection(
        [("customer", "Customer"), ("operator", "Operator")], required=True, readonly=True
    )
    channel = fields.Selection([("email", "E-mail"), ("sms", "SMS")], required=True, readonly=True)
    event_start = fields.Datetime(
        string="Meeting Start",
        required=True,
        readonly=True,
        help="The start this reminder is for: when the meeting moves after it was sent, a new one goes.",
    )
    date_scheduled = fields.Datetime(string="Due", required=True, readonly=True)
    phone = fields.Char(
        string="Number", readonly=True, help="Chosen or typed on the meeting; the routed contact's if empty."
    )
    email = fields.Char(
        string="Address", readonly=True, help="Chosen or typed on the meeting; the routed contact's if empty."
    )
    start_text = fields.Char(
        string="Start", compute="_compute_times_text", help="In the recipient's time zone and language."
    )
    stop_text = fields.Char(string="End", compute="_compute_times_text")

    _due_idx = models.Index("(date_scheduled) WHERE send_state = 'draft'")

    @api.depends("event_id.start", "event_id.stop", "event_id.allday", "partner_id.tz", "partner_id.lang")
    def _compute_times_text(self):
        """Start and end for the templates, in the recipient's time zone (the
        contact's, else the organizer's, else the company's) and language."""
        for reminder in self:
            event = reminder.event_id
            lang = reminder.partner_id.lang or reminder.env.lang or "en_US"
            if event.allday:
                reminder.start_text = format_date(reminder.env, event.start_date, lang, DATE_FORMAT)
                reminder.stop_text = format_date(reminder.env, event.stop_date, lang, DATE_FORMAT)
                continue
            tz = reminder._reminder_tz()
            reminder.start_text = format_datetime(reminder.env, event.start, tz, DATETIME_FORMAT, lang)
            reminder.stop_text = format_datetime(reminder.env, event.stop, tz, DATETIME_FORMAT, lang)

    def _reminder_tz(self):
        self.ensure_one()
        return (
            self.partner_id.tz
            or self.event_id.user_id.tz
            or self.company_id.partner_id.tz
            or self.env.user.tz
            or "UTC"
        )

    # ------------------------------------------------------------------
    # Hooks of the sending core
    # ------------------------------------------------------------------

    def _reminder_document_type(self):
        return self.env.ref("reminder_automation.document_type_meeting_reminder")

    def _reminder_mail_template(self):
        return self.event_id[f"reminder_{self.audience}_mail_template_id"] or self.env.ref(
            f"reminder_automation.mail_template_meeting_{self.audience}"
        )

    def _reminder_sms_template(self):
        return self.event_id[f"reminder_{self.audience}_sms_template_id"] or self.env.ref(
            f"reminder_automation.sms_template_meeting_{self.audience}"
        )

    def _reminder_email_from(self):
        """The service's sender, whatever the template says."""
        return self.company_id.reminder_meeting_email_from or self.company_id._reminder_email_from()

    def _reminder_chatter_record(self):
        return self.event_id

    def _reminder_sms_number_of(self, contact):
        return self.phone or super()._reminder_sms_number_of(contact)

    def _reminder_route(self, channel="email"):
        """A number or address chosen on the meeting goes to its participant
        as is; the other reminders are routed as every engine's."""
        typed = self.filtered(lambda r: r.phone if channel == "sms" else r.email)
        routes = super(ReminderMeeting, self - typed)._reminder_route(channel)
        for record in typed:
            partner = record.partner_id.sudo()
            routes[record] = RecipientRoute(partner, partner, partner.browse())
        return routes

    def _reminder_mail_values(self, route, subject, body):
        values = super()._reminder_mail_values(route, subject, body)
        if self.email:
            values.update(recipient_ids=[fields.Command.clear()], email_to=self.email)
        if server := self.company_id.reminder_meeting_mail_server_id:
            values["mail_server_id"] = server.id
        values["email_bcc"] = self._reminder_mail_template().email_bcc or False
        return values

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _reminder_send(self):
        """Send each reminder on its channel; errors stay on the reminder."""
        self.filtered(lambda r: r.channel == "email")._reminder_send_emails()
        self.filtered(lambda r: r.channel == "sms")._reminder_send_sms()

    @api.model
    def _cron_send_due(self, batch_size=CRON_BATCH):
        """Send the reminders due now, batch after batch, each exactly once:
        a batch is locked (``FOR UPDATE SKIP LOCKED``, other workers skip it)
        and, in the cron, committed once sent."""
        while ids := self._lock_due(batch_size):
            self.browse(ids)._reminder_send()
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
            if commit_progress(self.env, len(ids)) <= 0:
                return

    @api.model
    def _lock_due(self, batch_size):
        """Ids of up to ``batch_size`` reminders due now that no other worker
        holds, locked: to send, of a meeting still active and still to come,
        for an audience the company's cron mode sends."""
        self.env.flush_all()
        ids = lock_ids(
            self.env,
            SQL(
                """SELECT r.id FROM reminder_meeting r
                     JOIN calendar_event e ON e.id = r.event_id
                     JOIN res_company c ON c.id = r.company_id
                    WHERE r.send_state = 'draft' AND r.date_scheduled <= %(now)s
                      AND r.event_start > %(now)s AND e.active
                      AND c.reminder_meeting_cron_mode IN ('both', r.audience)
                 ORDER BY r.date_scheduled, r.id LIMIT %(limit)s
                   FOR UPDATE OF r SKIP LOCKED""",
                now=fields.Datetime.now(),
                limit=batch_size,
            ),
        )
        if ids is None:
            _logger.info("Meeting reminders being sent by another worker")
        return ids or []

    def action_retry(self):
        """Send again, now, the reminders in error (after fixing their cause)."""
        failed = self.filtered(lambda r: r.send_state == "error" and r.event_start > fields.Datetime.now())
        failed._reminder_write_state("draft", error_message=False)
        failed._reminder_send()
        return failed

    @api.model
    def _todo_domain(self):
        """The reminders Reminders to handle lists: failed ones of meetings to come."""
        return Domain("send_state", "=", "error") & Domain("event_start", ">", fields.Datetime.now())
