from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import format_date

from .common import DunningCommon
from .test_recurrence import RecurrenceCommon


@tagged("post_install", "-at_install")
class TestRecurrencePolish(RecurrenceCommon):
    def test_on_record_offers_business_models_only(self):
        models = dict(self.Recurrence._selection_res_ref())
        self.assertIn("res.partner", models)
        self.assertIn("account.move", models)
        for technical in ("ir.cron", "ir.actions.server", "mail.activity.mixin", "reminder.recurrence"):
            self.assertNotIn(technical, models)

    @freeze_time("2026-01-05")
    def test_form_says_the_rest_is_planned_later(self):
        """12 monthly repetitions, a 30-day horizon: 1 occurrence exists,
        the form says 11 more come until the end."""
        recurrence = self._recurrence(rule_type="monthly", day=5, end_type="count", count=12, horizon_days=30)
        self.assertFalse(recurrence.planning_note, "nothing planned yet")
        recurrence.action_generate_occurrences()
        self.assertEqual(recurrence.occurrence_count, 1)
        self.assertIn("11 more until", recurrence.planning_note)
        self.assertIn(format_date(self.env, date(2026, 12, 5)), recurrence.planning_note)
        endless = self._recurrence(rule_type="monthly", day=5, horizon_days=30)
        endless.action_generate_occurrences()
        self.assertIn("no end", endless.planning_note)
        short = self._recurrence(rule_type="monthly", day=5, end_type="count", count=1, horizon_days=30)
        short.action_generate_occurrences()
        self.assertFalse(short.planning_note, "all planned: nothing to say")


@tagged("post_install", "-at_install")
class TestDunningPolish(DunningCommon):
    def test_level_channels_in_one_column(self):
        self.final.write({"channel_letter": True, "channel_sms": False})
        self.assertEqual(self.final.channel_names, "E-mail, Printed Letter")

    def test_execution_report_dates_and_counts(self):
        self._invoice(self.bihor, -10)
        run = self._run()
        self.assertIn(format_date(self.env, run.date), run.report_html)
        self.assertNotIn(run.date.isoformat(), run.report_html)
        self.assertNotIn("(s)", run.report_html)
        self.assertIn("Customers reminded: 1", run.report_html)

    def test_sms_number_shown_formatted(self):
        self.bihor.country_id = self.env.ref("base.ro")
        sms = self.env["sms.sms"].create({"number": "+40722123456", "partner_id": self.bihor.id, "body": "x"})
        self.assertEqual(sms.reminder_number_display, "+40 722 123 456")

    def test_communications_action_explains_empty_list(self):
        action = self.env.ref("reminder_automation.reminder_dunning_communication_action")
        self.assertIn("No reminder sent yet", action.help)

    def test_due_per_currency_only_with_several_currencies(self):
        def columns():
            arch = self.env["reminder.todo"].with_user(self.handler).get_views([(False, "list")])
            return arch["views"]["list"]["arch"]

        multi = self.env.ref("base.group_multi_currency")
        self.env.ref("base.group_user").implied_ids -= multi
        self.handler.group_ids -= multi
        self.assertNotIn('name="amount_text"', columns())
        self.handler.group_ids += multi
        self.assertIn('name="amount_text"', columns())
