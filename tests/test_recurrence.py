from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import ReminderCommon


class RecurrenceCommon(ReminderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Recurrence = cls.env["reminder.recurrence"]
        cls.customer = cls._create_company_partner("Acme", [("Ana Pop", "Manager", {})])
        cls.salesman = new_test_user(
            cls.env,
            login="recurrence_salesman",
            groups="reminder_automation.group_reminder_user",
            tz="Europe/Rome",
        )
        cls.call_type = cls.env.ref("mail.mail_activity_data_call")

    @classmethod
    def _recurrence(cls, **values):
        return cls.Recurrence.create(
            {
                "name": "Call Acme",
                "partner_id": cls.customer.id,
                "user_id": cls.salesman.id,
                "interaction_type_id": cls.call_type.id,
                "date_start": date(2026, 1, 5),
                **values,
            }
        )

    @staticmethod
    def dates(recurrence, date_from=date(2000, 1, 1), date_to=date(2100, 1, 1)):
        return recurrence._rule_dates(date_from, date_to)


@tagged("post_install", "-at_install")
class TestRecurrenceRule(RecurrenceCommon):
    def test_daily_every_two_days(self):
        recurrence = self._recurrence(rule_type="daily", interval=2, end_type="count", count=4)
        self.assertEqual(
            self.dates(recurrence), [date(2026, 1, 5), date(2026, 1, 7), date(2026, 1, 9), date(2026, 1, 11)]
        )
        self.assertEqual(recurrence.date_stop, date(2026, 1, 11))

    def test_every_two_weeks_on_monday_and_thursday(self):
        recurrence = self._recurrence(
            rule_type="weekly", interval=2, mon=True, thu=True, end_type="count", count=6
        )
        self.assertEqual(
            self.dates(recurrence),
            [
                date(2026, 1, 5),
                date(2026, 1, 8),
                date(2026, 1, 19),
                date(2026, 1, 22),
                date(2026, 2, 2),
                date(2026, 2, 5),
            ],
        )

    def test_monthly_on_day(self):
        recurrence = self._recurrence(
            rule_type="monthly", day=15, end_type="end_date", date_until=date(2026, 4, 30)
        )
        self.assertEqual(
            self.dates(recurrence),
            [date(2026, 1, 15), date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 15)],
        )
        self.assertEqual(recurrence.date_stop, date(2026, 4, 15))

    def test_monthly_day_31_uses_the_last_day_of_shorter_months(self):
        recurrence = self._recurrence(
            rule_type="monthly", day=31, date_start=date(2026, 1, 1), end_type="count", count=4
        )
        self.assertEqual(
            self.dates(recurrence),
            [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)],
        )
        recurrence.date_start = date(2028, 2, 1)
        self.assertEqual(self.dates(recurrence)[0], date(2028, 2, 29), "leap year")

    def test_monthly_first_tuesday(self):
        recurrence = self._recurrence(
            rule_type="monthly", month_by="day", byday="1", weekday="tue", end_type="count", count=4
        )
        self.assertEqual(
            self.dates(recurrence), [date(2026, 1, 6), date(2026, 2, 3), date(2026, 3, 3), date(2026, 4, 7)]
        )

    def test_monthly_last_friday_every_two_months(self):
        recurrence = self._recurrence(
            rule_type="monthly",
            interval=2,
            month_by="day",
            byday="-1",
            weekday="fri",
            end_type="count",
            count=3,
        )
        self.assertEqual(self.dates(recurrence), [date(2026, 1, 30), date(2026, 3, 27), date(2026, 5, 29)])

    def test_weekly_for_one_year_is_52_weeks(self):
        """Whole weeks that fit in the year: 52, never a 53rd on the first
        day of the next year, although [start, start + 1 year[ holds 53 Mondays."""
        recurrence = self._recurrence(mon=True, end_type="duration", duration_count=1, duration_unit="years")
        dates = self.dates(recurrence)
        self.assertEqual(len(dates), 52)
        self.assertEqual(dates[-1], date(2026, 12, 28))
        self.assertEqual(recurrence.date_stop, date(2026, 12, 28))
        recurrence.thu = True
        self.assertEqual(len(self.dates(recurrence)), 104)
        recurrence.write({"date_start": date(2028, 1, 3), "thu": False})
        self.assertEqual(len(self.dates(recurrence)), 52, "leap year too")

    def test_monthly_for_one_year_is_12_months(self):
        recurrence = self._recurrence(
            rule_type="monthly",
            day=31,
            date_start=date(2026, 1, 31),
            end_type="duration",
            duration_count=1,
            duration_unit="years",
        )
        self.assertEqual(len(self.dates(recurrence)), 12)
        self.assertEqual(recurrence.date_stop, date(2026, 12, 31))

    def test_no_end(self):
        recurrence = self._recurrence(rule_type="daily")
        self.assertFalse(recurrence.date_stop)
        self.assertEqual(len(self.dates(recurrence, date(2030, 1, 1), date(2030, 12, 31))), 365)

    def test_bad_input_names_the_field(self):
        cases = [
            ({"end_type": "end_date", "date_until": date(2026, 1, 1), "mon": True}, "Until"),
            ({"end_type": "count", "count": 0, "mon": True}, "Repetitions"),
            ({"end_type": "duration", "duration_count": -1, "mon": True}, "Duration"),
            (
                {
                    "end_type": "duration",
                    "duration_count": 3,
                    "duration_unit": "days",
                    "mon": True,
                    "interval": 1,
                },
                "Duration",
            ),
            ({"interval": 0, "mon": True}, "Repeat Every"),
            ({"rule_type": "weekly"}, "Weekdays"),
            ({"rule_type": "monthly", "day": 32}, "Day of Month"),
            ({"rule_type": "monthly", "day": 0}, "Day of Month"),
        ]
        for values, field_label in cases:
            with self.subTest(values=values), self.assertRaisesRegex(ValidationError, field_label):
                self._recurrence(**values)


@tagged("post_install", "-at_install")
class TestRecurrenceGeneration(RecurrenceCommon):
    def _weekly(self, **values):
        return self._recurrence(mon=True, thu=True, horizon_days=14, **values)

    @freeze_time("2026-01-05 10:00:00")
    def test_generate_interactions_in_the_agenda(self):
        recurrence = self._weekly()
        self.assertEqual(recurrence.state, "draft")
        recurrence.action_generate_occurrences()
        occurrences = recurrence.occurrence_ids
        self.assertEqual(
            occurrences.mapped("date"),
            [date(2026, 1, 5), date(2026, 1, 8), date(2026, 1, 12), date(2026, 1, 15), date(2026, 1, 19)],
        )
        self.assertEqual(recurrence.date_generated_until, date(2026, 1, 19))
        self.assertEqual(recurrence.state, "running")
        activities = occurrences.activity_id
        self.assertEqual(len(activities), 5)
        self.assertEqual(set(activities.mapped("res_model")), {"res.partner"})
        self.assertEqual(activities.mapped("res_id"), [self.customer.id] * 5)
        self.assertEqual(activities.user_id, self.salesman)
        self.assertEqual(activities.activity_type_id, self.call_type)
        self.assertEqual(activities.mapped("date_deadline"), occurrences.mapped("date"))
        self.assertEqual(
            self.env["mail.activity"].search_count([("user_id", "=", self.salesman.id)]), 5, "in the agenda"
        )

    @freeze_time("2026-01-05 10:00:00")
    def test_activities_on_any_record_or_on_the_recurrence(self):
        contact = self.customer.child_ids
        on_record = self._weekly(res_ref=f"res.partner,{contact.id}")
        on_itself = self._weekly(partner_id=False)
        (on_record | on_itself).action_generate_occurrences()
        self.assertEqual(set(on_record.occurrence_ids.activity_id.mapped("res_id")), {contact.id})
        self.assertEqual(
            set(on_itself.occurrence_ids.activity_id.mapped("res_model")), {"reminder.recurrence"}
        )
        self.assertEqual(on_itself.activity_ids, on_itself.occurrence_ids.activity_id)

    @freeze_time("2026-01-05 10:00:00")
    def test_generate_twice_is_idempotent(self):
        recurrence = self._weekly()
        recurrence.action_generate_occurrences()
        first = recurrence.occurrence_ids
        recurrence.action_generate_occurrences()
        recurrence.invalidate_recordset()
        self.assertEqual(recurrence.occurrence_ids, first)
        self.assertEqual(len(self.env["mail.activity"].search([("user_id", "=", self.salesman.id)])), 5)

    @freeze_time("2026-01-05 10:00:00")
    def test_one_occurrence_per_date_enforced_by_the_database(self):
        recurrence = self._weekly()
        recurrence.action_generate_occurrences()
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["reminder.recurrence.occurrence"].create(
                {"recurrence_id": recurrence.id, "date": date(2026, 1, 5)}
            )

    @freeze_time("2026-01-20 10:00:00")
    def test_past_dates_are_not_created(self):
        recurrence = self._weekly()
        recurrence.action_generate_occurrences()
        self.assertEqual(recurrence.occurrence_ids[0].date, date(2026, 1, 22))

    def test_cron_extends_the_horizon(self):
        cron = self.env.ref("reminder_automation.ir_cron_reminder_recurrence_generate")
        with freeze_time("2026-01-05 10:00:00"):
            recurrence = self._weekly()
            not_started = self._weekly(name="Not started")
            recurrence.action_generate_occurrences()
        self.assertEqual(len(recurrence.occurrence_ids), 5)
        with freeze_time("2026-01-12 03:00:00"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        recurrence.invalidate_recordset()
        self.assertEqual(recurrence.date_generated_until, date(2026, 1, 26))
        self.assertEqual(
            recurrence.occurrence_ids.mapped("date")[-2:], [date(2026, 1, 22), date(2026, 1, 26)]
        )
        self.assertEqual(len(recurrence.occurrence_ids), 7)
        self.assertFalse(not_started.occurrence_ids, "the cron only extends started recurrences")

    def test_dst_in_europe_rome(self):
        """Rome switches to summer time on 29 March 2026 and back on 25 October:
        one occurrence per calendar day, "today" taken in the user's timezone."""
        recurrence = self._recurrence(rule_type="daily", date_start=date(2026, 3, 1), horizon_days=3)
        # 23:30 UTC on 28 March is already 00:30 on the 29th in Rome (UTC+1).
        with freeze_time("2026-03-28 23:30:00"):
            recurrence.action_generate_occurrences()
        self.assertEqual(
            recurrence.occurrence_ids.mapped("date"),
            [date(2026, 3, 29), date(2026, 3, 30), date(2026, 3, 31), date(2026, 4, 1)],
        )
        # 22:30 UTC on 24 October is 00:30 on the 25th in Rome (UTC+2).
        recurrence.horizon_days = 2
        with freeze_time("2026-10-24 22:30:00"):
            recurrence.action_generate_occurrences()
        self.assertEqual(
            recurrence.occurrence_ids.filtered(lambda o: o.date.month == 10).mapped("date"),
            [date(2026, 10, 25), date(2026, 10, 26), date(2026, 10, 27)],
        )
        weekly = self._recurrence(sun=True, date_start=date(2026, 3, 22), end_type="count", count=3)
        self.assertEqual(self.dates(weekly), [date(2026, 3, 22), date(2026, 3, 29), date(2026, 4, 5)])
        self.salesman.tz = "UTC"
        with freeze_time("2026-03-28 23:30:00"):
            self.assertEqual(recurrence._today(), date(2026, 3, 28))

    @freeze_time("2026-01-05 10:00:00")
    def test_rule_change_regenerates_future_keeping_done(self):
        recurrence = self._recurrence(rule_type="daily", horizon_days=6)
        recurrence.action_generate_occurrences()
        today, tomorrow = recurrence.occurrence_ids[:2]
        today.activity_id.action_done()
        self.assertEqual(today.state, "done")
        self.assertFalse(today.activity_id.active, "done activities are archived by Odoo")
        old_activities = (recurrence.occurrence_ids - today).activity_id

        wizard = Form(
            self.env["reminder.recurrence.rule.wizard"].with_context(default_recurrence_id=recurrence.id)
        )
        self.assertEqual(wizard.rule_type, "daily")
        self.assertEqual(wizard.replaced_count, 6)
        self.assertEqual(wizard.kept_count, 1)
        wizard.interval = 2
        wizard.save().action_confirm()

        self.assertEqual(recurrence.interval, 2)
        self.assertEqual(
            recurrence.occurrence_ids.mapped("date"),
            [date(2026, 1, 5), date(2026, 1, 7), date(2026, 1, 9), date(2026, 1, 11)],
        )
        self.assertIn(today, recurrence.occurrence_ids, "the done occurrence is kept, not duplicated")
        self.assertFalse(tomorrow.exists())
        self.assertFalse(old_activities.exists())
        self.assertEqual(len(recurrence.occurrence_ids.activity_id.filtered("active")), 3)

    @freeze_time("2026-01-05 10:00:00")
    def test_cancelled_activity(self):
        recurrence = self._weekly()
        recurrence.action_generate_occurrences()
        occurrence = recurrence.occurrence_ids[0]
        occurrence.activity_id.unlink()
        self.assertEqual(occurrence.state, "cancelled")
        recurrence.action_generate_occurrences()
        self.assertEqual(len(recurrence.occurrence_ids), 5, "a cancelled date is not planned again")

    @freeze_time("2026-06-10 10:00:00")
    def test_running_and_ending_soon_filters(self):
        running = self._recurrence(mon=True, date_start=date(2026, 6, 1))
        ending = self._recurrence(
            mon=True, date_start=date(2026, 6, 1), end_type="end_date", date_until=date(2026, 7, 1)
        )
        ended = self._recurrence(
            mon=True, date_start=date(2026, 1, 1), end_type="end_date", date_until=date(2026, 2, 1)
        )
        draft = self._recurrence(mon=True)
        (running | ending | ended).action_generate_occurrences()
        recurrences = running | ending | ended | draft
        self.assertEqual(recurrences.mapped("state"), ["running", "ending", "ended", "draft"])
        domain = [("id", "in", recurrences.ids)]
        self.assertEqual(
            self.Recurrence.search(domain + [("state", "in", ["running", "ending"])]), running | ending
        )
        self.assertEqual(self.Recurrence.search(domain + [("state", "=", "ending")]), ending)

    def test_access_rights(self):
        recurrence = self._recurrence(mon=True)
        outsider = new_test_user(self.env, login="recurrence_outsider", groups="base.group_user")
        with self.assertRaises(AccessError):
            recurrence.with_user(outsider).read(["name"])
        with self.assertRaises(AccessError):
            self.env["reminder.recurrence.occurrence"].with_user(outsider).search([])
        self.assertEqual(recurrence.with_user(self.salesman).name, "Call Acme")

    def test_multi_company(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        recurrence = self._recurrence(mon=True, company_id=other_company.id)
        self.assertFalse(self.Recurrence.with_user(self.salesman).search([("id", "=", recurrence.id)]))
