from datetime import datetime, time, timedelta

from dateutil import rrule
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

WEEKDAYS = [
    ("mon", rrule.MO),
    ("tue", rrule.TU),
    ("wed", rrule.WE),
    ("thu", rrule.TH),
    ("fri", rrule.FR),
    ("sat", rrule.SA),
    ("sun", rrule.SU),
]
RULE_TYPES = {"daily": rrule.DAILY, "weekly": rrule.WEEKLY, "monthly": rrule.MONTHLY}
PERIOD_UNITS = {"daily": "days", "weekly": "weeks", "monthly": "months"}


class ReminderRecurrenceRule(models.AbstractModel):
    """When something recurs: a ``dateutil.rrule`` described by form fields.

    Shared by the recurrence and by the wizard that confirms a change of
    rule. Dates are calendar dates: the rule runs on naive midnights, i.e.
    on the wall clock of the user, so a DST change never shifts nor doubles
    a day. Rules:

    * monthly on day N: a month without day N uses its last day (day 31 is
      30 April and 28/29 February), through ``BYSETPOS=-1`` over the days
      28..N, never skipping a month;
    * "for a duration": the series covers the whole periods (every k days,
      weeks or months) that fit in the duration from the start date, so
      "weekly for 1 year" is 52 weeks, 52 occurrences per chosen weekday,
      never a 53rd one on the first day of the following year;
    * weeks start on Monday (ISO) for "every k weeks".
    """

    _name = "reminder.recurrence.rule"
    _description = "Recurrence Rule"

    rule_type = fields.Selection(
        [("daily", "Days"), ("weekly", "Weeks"), ("monthly", "Months")],
        string="Period",
        default="weekly",
        required=True,
    )
    interval = fields.Integer(string="Repeat Every", default=1, required=True)
    mon = fields.Boolean(string="Mon")
    tue = fields.Boolean(string="Tue")
    wed = fields.Boolean(string="Wed")
    thu = fields.Boolean(string="Thu")
    fri = fields.Boolean(string="Fri")
    sat = fields.Boolean(string="Sat")
    sun = fields.Boolean(string="Sun")
    month_by = fields.Selection(
        [("date", "Date of Month"), ("day", "Weekday of Month")],
        string="Monthly On",
        default="date",
        required=True,
    )
    day = fields.Integer(
        string="Day of Month",
        default=1,
        help="1 to 31; a month without this day uses its last day.",
    )
    byday = fields.Selection(
        [("1", "First"), ("2", "Second"), ("3", "Third"), ("4", "Fourth"), ("-1", "Last")],
        string="Week of Month",
        default="1",
    )
    weekday = fields.Selection(
        [(code, code.capitalize()) for code, _weekday in WEEKDAYS],
        string="Weekday",
        default="mon",
    )
    date_start = fields.Date(string="Start", required=True, default=fields.Date.context_today)
    end_type = fields.Selection(
        [
            ("none", "No End"),
            ("end_date", "Until"),
            ("count", "Number of Occurrences"),
            ("duration", "For a Duration"),
        ],
        string="Ends",
        default="none",
        required=True,
    )
    date_until = fields.Date(string="Until")
    count = fields.Integer(string="Repetitions", default=10)
    duration_count = fields.Integer(string="Duration", default=1)
    duration_unit = fields.Selection(
        [("days", "Days"), ("weeks", "Weeks"), ("months", "Months"), ("years", "Years")],
        string="Duration Unit",
        default="years",
    )
    date_stop = fields.Date(
        string="Ends On",
        compute="_compute_date_stop",
        store=True,
        help="Date of the last occurrence; empty when the recurrence never ends.",
    )

    @api.model
    def _rule_fields(self):
        """Fields that define the dates of the series."""
        return [
            "rule_type",
            "interval",
            *(code for code, _weekday in WEEKDAYS),
            "month_by",
            "day",
            "byday",
            "weekday",
            "date_start",
            "end_type",
            "date_until",
            "count",
            "duration_count",
            "duration_unit",
        ]

    def _rule_values(self):
        """The rule as values to write on another rule."""
        self.ensure_one()
        return {
            fname: self._fields[fname].convert_to_write(self[fname], self) for fname in self._rule_fields()
        }

    @api.depends(lambda self: self._rule_fields())
    def _compute_date_stop(self):
        for rule in self:
            last = None
            if rule.date_start and rule.end_type != "none" and not rule._rule_errors():
                last = rule._get_rrule().before(datetime.max, inc=True)
            rule.date_stop = last and last.date()

    # ------------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------------

    def _rule_errors(self):
        """Messages, each naming its field, of what makes the rule unusable."""
        self.ensure_one()
        _ = self.env._

        def label(fname):
            return self._fields[fname]._description_string(self.env)

        errors = []
        if not self.date_start:
            errors.append(_("%(field)s is required.", field=label("date_start")))
        if self.interval <= 0:
            errors.append(_("%(field)s must be at least 1.", field=label("interval")))
        if self.rule_type == "weekly" and not any(self[code] for code, _weekday in WEEKDAYS):
            errors.append(_("Weekdays: choose at least one day for a weekly recurrence."))
        if self.rule_type == "monthly" and self.month_by == "date" and not 1 <= self.day <= 31:
            errors.append(_("%(field)s must be between 1 and 31.", field=label("day")))
        if self.rule_type == "monthly" and self.month_by == "day" and not (self.byday and self.weekday):
            errors.append(
                _("%(field)s: choose the week and the weekday of the month.", field=label("weekday"))
            )
        if self.end_type == "end_date" and not self.date_until:
            errors.append(_("%(field)s is required to end on a date.", field=label("date_until")))
        elif self.end_type == "end_date" and self.date_start and self.date_until < self.date_start:
            errors.append(_("%(field)s cannot be before the start date.", field=label("date_until")))
        if self.end_type == "count" and self.count <= 0:
            errors.append(_("%(field)s must be at least 1.", field=label("count")))
        if self.end_type == "duration" and (self.duration_count <= 0 or not self.duration_unit):
            errors.append(_("%(field)s must be at least 1.", field=label("duration_count")))
        elif self.end_type == "duration" and not errors and self._duration_until() < self.date_start:
            errors.append(
                _("%(field)s is shorter than one period of the recurrence.", field=label("duration_count"))
            )
        return errors

    @api.constrains(lambda self: self._rule_fields())
    def _check_rule(self):
        for rule in self:
            if errors := rule._rule_errors():
                raise ValidationError("\n".join(errors))

    # ------------------------------------------------------------------
    # The rule
    # ------------------------------------------------------------------

    def _duration_until(self):
        """Last day of the whole periods that fit in the duration."""
        start = self.date_start
        end = start + relativedelta(**{self.duration_unit: self.duration_count})
        if self.rule_type == "monthly":
            delta = relativedelta(end, start)
            periods = (delta.years * 12 + delta.months) // self.interval
        else:
            days = 7 if self.rule_type == "weekly" else 1
            periods = (end - start).days // (days * self.interval)
        period = relativedelta(**{PERIOD_UNITS[self.rule_type]: self.interval * periods})
        return start + period - timedelta(days=1)

    def _get_rrule(self):
        """The ``dateutil.rrule`` of the series, on naive midnights."""
        self.ensure_one()
        options = {
            "dtstart": datetime.combine(self.date_start, time.min),
            "interval": self.interval,
            "wkst": rrule.MO,
        }
        if self.rule_type == "weekly":
            options["byweekday"] = [weekday for code, weekday in WEEKDAYS if self[code]]
        elif self.rule_type == "monthly" and self.month_by == "day":
            options["byweekday"] = dict(WEEKDAYS)[self.weekday](int(self.byday))
        elif self.rule_type == "monthly" and self.day > 28:
            options.update(bymonthday=range(28, self.day + 1), bysetpos=-1)
        elif self.rule_type == "monthly":
            options["bymonthday"] = self.day
        if self.end_type == "end_date":
            options["until"] = datetime.combine(self.date_until, time.min)
        elif self.end_type == "duration":
            options["until"] = datetime.combine(self._duration_until(), time.min)
        elif self.end_type == "count":
            options["count"] = self.count
        return rrule.rrule(RULE_TYPES[self.rule_type], **options)

    def _rule_dates(self, date_from, date_to):
        """Dates of the series between ``date_from`` and ``date_to`` included."""
        self.ensure_one()
        return [
            moment.date()
            for moment in self._get_rrule().between(
                datetime.combine(date_from, time.min), datetime.combine(date_to, time.min), inc=True
            )
        ]
