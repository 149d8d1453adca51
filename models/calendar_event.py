from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize

from .res_company import MEETING_CHANNELS, MEETING_INTERVAL_UNITS

AUDIENCES = ("customer", "operator")
CHANNELS = {"email": ("email",), "sms": ("sms",), "both": ("email", "sms")}
# fields whose change moves, adds or drops reminders
SYNC_FIELDS = (
    {"start", "stop", "allday", "active", "partner_ids", "reminder_customer_id", "reminder_contact_id"}
    | {
        f"reminder_{audience}{suffix}"
        for audience in AUDIENCES
        for suffix in ("", "_channel", "_interval", "_interval_unit")
    }
    | {"reminder_customer_phone", "reminder_customer_email"}
)
# they change the number and address above, which are checked once computed
SOURCE_FIELDS = {"reminder_customer_phone_source", "reminder_customer_email_source"}
# where the customer's SMS number and e-mail come from: "<contact|customer>_<field>" or typed by hand
PHONE_SOURCES = [
    ("contact_mobile", "Contact's Mobile"),
    ("contact_phone", "Contact's Phone"),
    ("customer_mobile", "Customer's Mobile"),
    ("customer_phone", "Customer's Phone"),
    ("typed", "Typed by Hand"),
]
EMAIL_SOURCES = [
    ("contact_email", "Contact's E-mail"),
    ("customer_email", "Customer's E-mail"),
    ("typed", "Typed by Hand"),
]


def _company_default(fname):
    return lambda self: self.env.company[f"reminder_meeting_{fname}"]


class CalendarEvent(models.Model):
    """Meetings remind their customer and their operators (the seed's
    "Automatyczne przypomnienia"), each side on or off, by e-mail and/or
    SMS, some time before the start. A new meeting starts from the
    company's defaults (Settings, Reminders); Odoo's own attendee alarms are
    left as they are."""

    _inherit = "calendar.event"

    reminder_customer_id = fields.Many2one(
        "res.partner", string="Customer", index="btree_not_null", help="Whom the meeting is with."
    )
    reminder_contact_id = fields.Many2one(
        "res.partner",
        string="Contact Person",
        domain="[('id', 'child_of', reminder_customer_id), ('id', '!=', reminder_customer_id)]",
        help="Receives the customer's reminder; the customer itself if empty.",
    )
    reminder_customer = fields.Boolean(string="Remind the Customer", default=_company_default("customer"))
    reminder_customer_channel = fields.Selection(
        MEETING_CHANNELS, string="Customer Channel", default=_company_default("customer_channel")
    )
    reminder_customer_mail_template_id = fields.Many2one(
        "mail.template",
        string="Customer E-mail Template",
        domain="[('model', '=', 'reminder.meeting')]",
        default=_company_default("customer_mail_template_id"),
    )
    reminder_customer_sms_template_id = fields.Many2one(
        "sms.template",
        string="Customer SMS Template",
        domain="[('model', '=', 'reminder.meeting')]",
        default=_company_default("customer_sms_template_id"),
    )
    reminder_customer_interval = fields.Integer(
        string="Customer Reminder Before", default=_company_default("customer_interval")
    )
    reminder_customer_interval_unit = fields.Selection(
        MEETING_INTERVAL_UNITS,
        string="Customer Reminder Unit",
        default=_company_default("customer_interval_unit"),
    )
    reminder_customer_phone_source = fields.Selection(
        PHONE_SOURCES,
        string="SMS To",
        compute="_compute_reminder_customer_sources",
        store=True,
        readonly=False,
        help="The contact person's mobile by default (the first number found otherwise); pick another "
        "of the contact's or the customer's numbers, or type one.",
    )
    reminder_customer_phone = fields.Char(
        string="SMS Number",
        compute="_compute_reminder_customer_contact",
        store=True,
        readonly=False,
    )
    reminder_customer_email_source = fields.Selection(
        EMAIL_SOURCES,
        string="E-mail To",
        compute="_compute_reminder_customer_sources",
        store=True,
        readonly=False,
        help="The contact person's e-mail by default (the customer's otherwise); pick the other or type one.",
    )
    reminder_customer_email = fields.Char(
        string="Reminder E-mail",
        compute="_compute_reminder_customer_contact",
        store=True,
        readonly=False,
    )
    reminder_customer_bcc = fields.Char(
        string="Customer Copies (Bcc)", related="reminder_customer_mail_template_id.email_bcc"
    )
    reminder_operator = fields.Boolean(string="Remind the Operators", default=_company_default("operator"))
    reminder_operator_channel = fields.Selection(
        MEETING_CHANNELS, string="Operator Channel", default=_company_default("operator_channel")
    )
    reminder_operator_mail_template_id = fields.Many2one(
        "mail.template",
        string="Operator E-mail Template",
        domain="[('model', '=', 'reminder.meeting')]",
        default=_company_default("operator_mail_template_id"),
    )
    reminder_operator_sms_template_id = fields.Many2one(
        "sms.template",
        string="Operator SMS Template",
        domain="[('model', '=', 'reminder.meeting')]",
        default=_company_default("operator_sms_template_id"),
    )
    reminder_operator_interval = fields.Integer(
        string="Operator Reminder Before", default=_company_default("operator_interval")
    )
    reminder_operator_interval_unit = fields.Selection(
        MEETING_INTERVAL_UNITS,
        string="Operator Reminder Unit",
        default=_company_default("operator_interval_unit"),
    )
    reminder_operator_bcc = fields.Char(
        string="Operator Copies (Bcc)", related="reminder_operator_mail_template_id.email_bcc"
    )
    reminder_ids = fields.One2many("reminder.meeting", "event_id", string="Meeting Reminders", readonly=True)
    reminder_error_count = fields.Integer(compute="_compute_reminder_error_count")

    @api.depends("reminder_customer_id", "reminder_contact_id")
    def _compute_reminder_customer_sources(self):
        for event in self:
            for kind, sources in (("phone", PHONE_SOURCES), ("email", EMAIL_SOURCES)):
                event[f"reminder_customer_{kind}_source"] = next(
                    (key for key, _label in sources[:-1] if event._reminder_customer_value(key)), "typed"
                )

    @api.depends("reminder_customer_phone_source", "reminder_customer_email_source")
    def _compute_reminder_customer_contact(self):
        """The number and address of the picked source; typed ones are kept."""
        for event in self:
            for kind in ("phone", "email"):
                source = event[f"reminder_customer_{kind}_source"]
                if source and source != "typed":
                    event[f"reminder_customer_{kind}"] = event._reminder_customer_value(source)
                else:
                    event[f"reminder_customer_{kind}"] = event[f"reminder_customer_{kind}"]

    @api.depends("reminder_ids.send_state")
    def _compute_reminder_error_count(self):
        for event in self:
            event.reminder_error_count = len(event.reminder_ids.filtered(lambda r: r.send_state == "error"))

    def _reminder_customer_value(self, source):
        """The number or address a source names, e.g. ``customer_phone``."""
        who, fname = source.split("_")
        return self[f"reminder_{who}_id"][fname]

    def _reminder_customer_recipient(self):
        self.ensure_one()
        return self.reminder_contact_id or self.reminder_customer_id

    def _reminder_operators(self):
        """The attendees of the company's side who have not declined: all but
        the customer's people."""
        self.ensure_one()
        customer = self.reminder_customer_id.commercial_partner_id
        declined = self.attendee_ids.filtered(lambda a: a.state == "declined").partner_id
        return (self.partner_ids - declined).filtered(
            lambda p: not customer or p.commercial_partner_id != customer
        )

    def _reminder_delay(self, audience):
        return timedelta(
            **{self[f"reminder_{audience}_interval_unit"] or "days": self[f"reminder_{audience}_interval"]}
        )

    # ------------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------------

    @api.constrains(*SYNC_FIELDS)
    def _check_reminder_participants(self):
        """A reminder switched on needs, for each participant, what its
        channel needs: the whole save is refused otherwise."""
        for event in self.filtered(lambda e: e.active):
            if event.reminder_customer:
                event._check_reminder_customer()
            if event.reminder_operator:
                event._check_reminder_operators()
            if event.reminder_customer_interval < 0 or event.reminder_operator_interval < 0:
                raise ValidationError(self.env._("The time before a meeting reminder cannot be negative."))

    def _check_reminder_customer(self):
        _ = self.env._
        recipient = self._reminder_customer_recipient()
        if not recipient:
            return  # nobody to remind: meetings created by other apps from defaults still save
        channels = CHANNELS[self.reminder_customer_channel or "email"]
        if "sms" in channels:
            if not self.reminder_customer_phone:
                raise ValidationError(
                    _(
                        "The customer's reminder of %(meeting)s goes by SMS but %(participant)s has no "
                        "mobile number: fill in the SMS Number on the Reminders tab.",
                        meeting=self.name,
                        participant=recipient.display_name,
                    )
                )
            if not self._reminder_customer_e164():
                raise ValidationError(
                    _(
                        "SMS Number %(number)s of %(participant)s is not a valid phone number "
                        "(Reminders tab of %(meeting)s).",
                        number=self.reminder_customer_phone,
                        participant=recipient.display_name,
                        meeting=self.name,
                    )
                )
        if "email" in channels and not email_normalize(self.reminder_customer_email or ""):
            raise ValidationError(
                _(
                    "The customer's reminder of %(meeting)s goes by e-mail but %(participant)s has no valid "
                    "e-mail address: fill in the Reminder E-mail on the Reminders tab.",
                    meeting=self.name,
                    participant=recipient.display_name,
                )
            )

    def _check_reminder_operators(self):
        _ = self.env._
        channels = CHANNELS[self.reminder_operator_channel or "email"]
        for operator in self._reminder_operators():
            if "email" in channels and not operator.email_normalized:
                raise ValidationError(
                    _(
                        "The operators' reminder of %(meeting)s goes by e-mail but attendee %(participant)s "
                        "has no e-mail address: fill in the E-mail of the attendee (Reminders tab).",
                        meeting=self.name,
                        participant=operator.display_name,
                    )
                )
            if "sms" in channels and not operator._reminder_sms_number():
                raise ValidationError(
                    _(
                        "The operators' reminder of %(meeting)s goes by SMS but attendee %(participant)s "
                        "has no mobile number: fill in the Mobile of the attendee (Reminders tab).",
                        meeting=self.name,
                        participant=operator.display_name,
                    )
                )

    def _reminder_customer_e164(self):
        """The SMS Number in E.164, read with the recipient's country."""
        recipient = self._reminder_customer_recipient()
        country = (
            recipient.country_id or recipient.commercial_partner_id.country_id or self.env.company.country_id
        )
        return recipient._phone_format_number(self.reminder_customer_phone, country, force_format="E164")

    # ------------------------------------------------------------------
    # Reminders follow their meeting
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        events._reminder_sync()
        return events

    def write(self, vals):
        result = super().write(vals)
        if (SYNC_FIELDS | SOURCE_FIELDS).intersection(vals):
            self._reminder_sync()
        return result

    def _reminder_sync(self):
        """Bring the reminders in line with their meetings. A reminder not
        sent yet follows its meeting (new time, number, address) and one in
        error is tried again; one sent stays, and a new one goes when the
        meeting moved after it; reminders no longer wanted (side switched
        off, participant gone, meeting archived) are dropped unless sent."""
        Reminder = self.env["reminder.meeting"].sudo()
        existing = Reminder.search([("event_id", "in", self.ids)]).grouped(
            lambda r: (r.event_id.id, r.audience, r.partner_id.id, r.channel)
        )
        to_create, to_unlink, to_update = [], Reminder, defaultdict(lambda: Reminder)
        wanted = {key: values for event in self for key, values in event._reminder_wanted().items()}
        for key, reminders in existing.items():
            if key not in wanted:
                to_unlink |= reminders.filtered(lambda r: r.send_state != "queued")
        for key, values in wanted.items():
            reminders = existing.get(key, Reminder)
            pending = reminders.filtered(lambda r: r.send_state != "queued")
            if pending:
                to_update[tuple(values.items())] |= pending
            elif values["event_start"] not in reminders.mapped("event_start"):
                event_id, audience, partner_id, channel = key
                to_create.append(
                    {
                        "event_id": event_id,
                        "audience": audience,
                        "partner_id": partner_id,
                        "channel": channel,
                        **values,
                    }
                )
        to_unlink.unlink()
        for values, reminders in to_update.items():
            reminders.write(dict(values))
            reminders.filtered(lambda r: r.send_state != "draft")._reminder_write_state(
                "draft", error_message=False
            )
        Reminder.create(to_create)

    def _reminder_wanted(self):
        """``{(event id, audience, partner id, channel): values}`` of the
        reminders this meeting should have now."""
        self.ensure_one()
        if not self.active or not self.start:
            return {}
        company = self.user_id.company_id or self.env.company
        wanted = {}
        for audience in AUDIENCES:
            if not self[f"reminder_{audience}"]:
                continue
            values = {
                "company_id": company.id,
                "event_start": self.start,
                "date_scheduled": self.start - self._reminder_delay(audience),
                "phone": False,
                "email": False,
            }
            channels = CHANNELS[self[f"reminder_{audience}_channel"] or "email"]
            if audience == "customer":
                recipients = self._reminder_customer_recipient()
                values.update(self._reminder_customer_typed(channels))
            else:
                recipients = self._reminder_operators()
            for partner in recipients:
                for channel in channels:
                    wanted[self.id, audience, partner.id, channel] = values
        return wanted

    def _reminder_customer_typed(self, channels):
        """The number and address picked or typed on the meeting when they
        are not the recipient's own (those are routed as usual)."""
        recipient = self._reminder_customer_recipient()
        number = "sms" in channels and self.reminder_customer_phone and self._reminder_customer_e164()
        email = "email" in channels and email_normalize(self.reminder_customer_email or "")
        return {
            "phone": number if number and number != recipient._reminder_sms_number() else False,
            "email": email if email and email != recipient.email_normalized else False,
        }

    def action_reminder_retry(self):
        """Send again the reminders in error, once their cause is fixed."""
        self.reminder_ids.sudo().action_retry()
        return True
