from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestBadInput(DunningCommon):
    """What a user can type is refused with an error naming the field,
    never a traceback in the middle of a run."""

    def test_customers_filter_refused_by_name(self):
        for bad in ("x", "None", "5", "[('id', '=', 'abc')]", "[('no_such_field', '=', 1)]", "[("):
            with (
                self.subTest(partner_domain=bad),
                self.assertRaisesRegex(ValidationError, "Customers Filter"),
            ):
                self.policy.partner_domain = bad
        for bad in (None, 5):
            with self.subTest(partner_domain=bad):
                try:
                    self.policy.partner_domain = bad
                except ValidationError as error:
                    self.assertIn("Customers Filter", str(error))
        self.policy.partner_domain = "[('id', '=', %d)]" % self.bihor.id
        self._invoice(self.bihor, -10)
        self._invoice(self.rossi, -10)
        self.assertEqual(self._run(send=False).communication_ids.partner_id, self.bihor)

    def test_level_day_offsets_bounded(self):
        Level = self.env["reminder.dunning.level"]
        template = self.env.ref("reminder_automation.mail_template_dunning_final")
        for fname, label, values in (
            ("days", "Days from Due Date", (3651, -3651, 2**31 - 1, -(2**31))),
            ("min_days_since_previous", "Days After Previous Level", (3651, 2**31 - 1)),
            ("repeat_days", "Repeat Every", (3651, 2**31 - 1)),
        ):
            for value in values:
                with (
                    self.subTest(fname=fname, value=value),
                    self.assertRaisesRegex(ValidationError, label),
                    self.env.cr.savepoint(),
                ):
                    Level.create(
                        {
                            "name": "Far",
                            "policy_id": self.policy.id,
                            "days": 100,
                            "mail_template_id": template.id,
                            fname: value,
                        }
                    )
        self.final.days = 3650
        self.courtesy.days = -3650
        self._invoice(self.bihor, -3650)
        self.assertEqual(self._run(send=False).communication_ids.level_id, self.firm)

    def test_minimum_days_overdue_bounded(self):
        with self.assertRaisesRegex(ValidationError, "Minimum Days Overdue"):
            self.policy.min_overdue_days = 2**31 - 1

    def test_run_date_bounded(self):
        Run = self.env["reminder.dunning.run"]
        for date in (self.today + timedelta(3651), self.today - timedelta(3651), "9999-12-31", "0001-01-01"):
            with self.subTest(date=date), self.assertRaisesRegex(ValidationError, "date of run"):
                Run.create({"policy_id": self.policy.id, "date": date})
        self._invoice(self.bihor, -10)
        self.courtesy.days = -3650
        run = self._run(-3650, send=False)
        self.assertEqual(run.state, "prepared")
