from datetime import timedelta

from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import email_normalize, email_split, format_date, mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningLevelGap(DunningCommon):
    """A level is reached only its days after the previous reminder (7 by
    default), even when the invoice is already late enough for it."""

    def _rows(self):
        Todo = self.env["reminder.todo"].with_user(self.handler)
        Todo._refresh_rows()
        return Todo.search([])

    def test_next_level_waits_days_after_previous(self):
        self.assertEqual(self.final.min_days_since_previous, 7, "the default")
        invoice = self._invoice(self.bihor, due_in_days=-60)  # late enough for firm and final
        self._run()
        self.assertEqual(self._levels_sent(invoice), [("Firm", 0)])
        # the cron sent it; the dashboard 15 minutes later must not propose the final level
        self.assertFalse(self.policy._due_items(self.today))
        self.assertFalse(self._run().communication_ids, "the same day")
        self.assertFalse(self._run(6).communication_ids, "6 days after the firm level")
        self.assertEqual(self._levels_sent(invoice), [("Firm", 0)])
        self._run(7)
        self.assertEqual(self._levels_sent(invoice), [("Firm", 0), ("Final", 0)])

    def test_days_after_previous_per_level(self):
        self.final.min_days_since_previous = 20
        invoice = self._invoice(self.bihor, due_in_days=-60)
        self._run()
        self.assertFalse(self._run(19).communication_ids)
        self._run(20)
        self.assertEqual(self._levels_sent(invoice), [("Firm", 0), ("Final", 0)])
        # no delay: the final level follows at once, as before
        other = self._invoice(self.rossi, due_in_days=-60)
        self.final.min_days_since_previous = 0
        self._run(20)
        self._run(20)
        self.assertEqual(self._levels_sent(other), [("Firm", 0), ("Final", 0)])

    def test_delay_counts_from_the_day_the_reminder_left(self):
        """A run dated 5 days ago but sent today: the customer got it today."""
        invoice = self._invoice(self.bihor, due_in_days=-60)
        self._run(-5)
        self.assertEqual(self._levels_sent(invoice), [("Firm", 0)])
        self.assertFalse(self._run(2).communication_ids, "7 days after the run's date, 2 after sending")
        self._run(7)
        self.assertEqual(self._levels_sent(invoice), [("Firm", 0), ("Final", 0)])

    def test_level_threshold_still_applies_after_the_delay(self):
        invoice = self._invoice(self.bihor, due_in_days=-10)
        self._run()
        self.assertFalse(self._run(7).communication_ids, "17 days late: final waits for 30")
        self._run(20)
        self.assertEqual(self._levels_sent(invoice), [("Firm", 0), ("Final", 0)])

    def test_dashboard_shows_next_reminder_date(self):
        reminded = self._invoice(self.bihor, due_in_days=-60)
        self._run()  # the firm level, sent today by the cron
        self._invoice(self.rossi, due_in_days=-10)  # never reminded: due now
        rows = {row.partner_id: row for row in self._rows()}
        self.assertEqual(set(rows), {self.bihor, self.rossi})
        bihor, rossi = rows[self.bihor], rows[self.rossi]
        self.assertTrue(bihor.waiting)
        self.assertEqual(bihor.next_date, self.today + timedelta(days=7))
        self.assertEqual(
            (bihor.level_id, bihor.move_id, bihor.item_count), (self.final, reminded.browse(), 1)
        )
        self.assertFalse(rossi.waiting)
        self.assertEqual(rossi.next_date, self.today)
        Todo = self.env["reminder.todo"].with_user(self.handler)
        self.assertEqual(Todo.get_systray_data()["count"], 1, "only what is due now is to handle")
        self.assertEqual(Todo.search([("waiting", "=", False)]), rossi, "the default filter")
        # a waiting line is neither previewed as due nor sent
        preview = self.env["reminder.todo.preview"].browse(
            bihor.with_user(self.handler).action_preview()["res_id"]
        )
        self.assertIn(format_date(self.env, bihor.next_date), preview.error)
        runs_before = self.env["reminder.dunning.run"].search_count([])
        bihor.with_user(self.handler).action_send_selected()
        self.assertEqual(self.env["reminder.dunning.run"].search_count([]), runs_before)
        self.assertEqual(self._levels_sent(reminded), [("Firm", 0)])

    def test_dashboard_customer_with_a_due_and_a_waiting_invoice(self):
        """Grouped per customer: the line is what a run would send now."""
        self._invoice(self.bihor, due_in_days=-60)
        self._run()
        new = self._invoice(self.bihor, due_in_days=-10)
        row = self._rows()
        self.assertEqual((row.partner_id, row.waiting, row.next_date), (self.bihor, False, self.today))
        self.assertEqual((row.level_id, row.item_count, row.amount_due), (self.firm, 1, new.amount_residual))

    def test_negative_delay_refused(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.final.min_days_since_previous = -1
            self.env.flush_all()


@tagged("post_install", "-at_install")
class TestDunningExecutionReport(DunningCommon):
    """The execution report goes to the responsible and to the address the
    reminders are sent from (seed 000)."""

    def _report_recipients(self, run):
        subject = f"Dunning run {run.name}: execution report"
        mails = [mail for mail in self._mails if mail["subject"] == subject]
        recipients = [email_normalize(address) for mail in mails for address in mail["email_to"]]
        self.assertTrue(mails, "the report is e-mailed")
        return recipients

    def test_report_to_responsible_and_sender_address(self):
        self._invoice(self.bihor, -10)
        run = self._run()  # sent from the company's address
        recipients = self._report_recipients(run)
        self.assertCountEqual(recipients, ["handler@company.example", "billing@company.example"])
        report = run.message_ids.filtered(
            lambda message: message.subject and "execution report" in message.subject
        )
        self.assertEqual(report.partner_ids, self.handler.partner_id)
        self.assertIn("billing@company.example", email_split(report.outgoing_email_to))
        self.assertIn("Bihor", report.body)

    def test_report_once_when_the_responsible_sends(self):
        self.policy.sender = "responsible"
        self._invoice(self.bihor, -10)
        run = self._run()
        self.assertEqual(self._report_recipients(run), ["handler@company.example"])
        senders = {email_normalize(mail.email_from) for mail in self._customer_mails()}
        self.assertEqual(senders, {"handler@company.example"})
