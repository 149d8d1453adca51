import json
from datetime import timedelta
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import format_amount, mute_logger

from odoo.addons.reminder_automation.models.reminder_dunning_communication import (
    ReminderDunningCommunication,
)
from odoo.addons.reminder_automation.tools.item_table import amount_formatter

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningLevels(DunningCommon):
    def test_level_progression_over_simulated_dates(self):
        invoice = self._invoice(self.bihor, due_in_days=3)
        expected = [
            (0, [("Courtesy", 0)]),  # 3 days before due
            (2, [("Courtesy", 0)]),  # nothing new the day before due
            (9, [("Courtesy", 0)]),  # 6 days late: firm waits for 7
            (10, [("Courtesy", 0), ("Firm", 0)]),
            (25, [("Courtesy", 0), ("Firm", 0)]),
            (33, [("Courtesy", 0), ("Firm", 0), ("Final", 0)]),
            (40, [("Courtesy", 0), ("Firm", 0), ("Final", 0)]),
            (47, [("Courtesy", 0), ("Firm", 0), ("Final", 0), ("Final", 1)]),
            (61, [("Courtesy", 0), ("Firm", 0), ("Final", 0), ("Final", 1), ("Final", 2)]),
        ]
        for day, levels in expected:
            self._run(day)
            self.assertEqual(self._levels_sent(invoice), levels, f"day {day}")

    def test_levels_never_skip_and_courtesy_is_past_once_overdue(self):
        invoice = self._invoice(self.bihor, due_in_days=-60)
        self._run()
        self.assertEqual(
            self._levels_sent(invoice), [("Firm", 0)], "60 days late, never reminded: firm first"
        )
        self._run(7)  # late enough for the final level at once, but it waits 7 days after firm
        self.assertEqual(self._levels_sent(invoice), [("Firm", 0), ("Final", 0)])

    def test_minimum_days_and_amount(self):
        self.policy.write({"min_overdue_days": 15, "min_amount": 150})
        small = self._invoice(self.bihor, due_in_days=-10, amount=100)
        self._run()
        self.assertFalse(self._levels_sent(small), "10 days late < 15 minimum days")
        self._run(5)
        self.assertFalse(self._levels_sent(small), "100 due < 150 minimum amount")
        self._invoice(self.bihor, due_in_days=-20, amount=100)
        self._run(6)
        self.assertEqual(self._levels_sent(small), [("Firm", 0)], "200 due in total")

    def test_policy_scope(self):
        person = self.Partner.create({"name": "Ana Pop", "email": "ana@pop.example"})
        self._invoice(person, -10)
        self._invoice(self.bihor, -10)
        self._invoice(self.rossi, -10)
        self.policy.write({"partner_scope": "companies", "partner_domain": str([("name", "!=", "Rossi")])})
        self.assertEqual(self._run(send=False).communication_ids.partner_id, self.bihor)
        self.policy.write({"partner_scope": "all", "partner_domain": "[]"})
        self.rossi.reminder_dunning_policy_id = self.env["reminder.dunning.policy"].create(
            {"name": "Other", "company_id": self.company.id}
        )
        self.bihor.active = False
        self.assertEqual(self._run(send=False).communication_ids.partner_id, person)

    def test_level_configuration_errors(self):
        with self.assertRaises(ValidationError):
            self.firm.repeat_days = 5  # only the last level repeats
        with self.assertRaisesRegex(ValidationError, "E-mail Template"):
            self.firm.mail_template_id = False
        with self.assertRaises(ValidationError):
            self.policy.partner_domain = "[('name', '=']"


@tagged("post_install", "-at_install")
class TestDunningSending(DunningCommon):
    def test_one_communication_per_customer_with_totals(self):
        eur = self.setup_other_currency("EUR")
        self._invoice(self.bihor, -10, 100)
        self._invoice(self.bihor, -20, 250)
        self._invoice(self.bihor, -15, 40, currency=eur)
        run = self._run(send=False)
        comm = run.communication_ids
        self.assertEqual(len(comm), 1)
        self.assertEqual(len(comm.line_ids), 3)
        self.assertIn("350.00", comm.total_due_text)
        self.assertIn("40.00", comm.total_due_text)
        with self.mock_mail_gateway():
            run.action_send()
        self.assertEqual(len(self._customer_mails()), 1)
        body = self._customer_mails().body_html
        self.assertIn("Pay or reply", body)
        self.assertIn("/reminder/invoice/", body)
        for move in comm.line_ids.move_id:
            self.assertIn(move.name, body)

    def test_one_communication_per_invoice(self):
        self.policy.grouping = "invoice"
        self._invoice(self.bihor, -10)
        self._invoice(self.bihor, -20)
        run = self._run(send=False)
        self.assertEqual(len(run.communication_ids), 2)
        tables = run.communication_ids.mapped("item_table_html")  # computed for both at once
        self.assertEqual(len([table for table in tables if "Pay or reply" in table]), 2)
        self._send(run)
        self.assertEqual(len(self._customer_mails()), 2)

    def test_recipients_cc_and_sender(self):
        self.policy.write(
            {"cc_email": "finance@company.example", "cc_salesperson": True, "sender": "responsible"}
        )
        self._invoice(self.bihor, -10)
        run = self._run()
        mail = self._customer_mails()
        self.assertEqual(
            set(mail.recipient_ids.mapped("name")),
            {"Ioana Popescu", "Mihai Ionescu"},
            "the contacts matching 'Conta, %Manage', not the company address",
        )
        self.assertIn("finance@company.example", mail.email_cc)
        self.assertIn("seller@company.example", mail.email_cc)
        self.assertIn("handler@company.example", mail.email_from)
        self.assertEqual(run.communication_ids.state, "sent")
        sent_to = {address for email in self._mails for address in email["email_to"]}
        self.assertTrue(any("ioana@bihor.example" in a for a in sent_to))

    def test_partner_language(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.rossi.lang = "it_IT"
        template = self.firm.mail_template_id
        template.with_context(lang="it_IT").subject = "Sollecito di pagamento"
        self._invoice(self.rossi, -10)
        self._invoice(self.bihor, -10)
        self._run()
        subjects = dict(
            zip(
                self._customer_mails().mapped("res_id"), self._customer_mails().mapped("subject"), strict=True
            )
        )
        self.assertEqual(subjects[self.rossi.id], "Sollecito di pagamento")
        self.assertIn("overdue invoices", subjects[self.bihor.id])

    def test_amounts_formatted_as_odoo_does_in_every_language(self):
        eur = self.setup_other_currency("EUR")
        currencies = self.company.currency_id | eur
        eur.position = "after"
        for code in ("it_IT", "fr_FR", "ro_RO", "pl_PL", "en_IN"):
            self.env["res.lang"]._activate_lang(code)
        for code in ("en_US", "it_IT", "fr_FR", "ro_RO", "pl_PL", "en_IN"):
            env = self.env(context=dict(self.env.context, lang=code))
            for currency in currencies:
                formatter = amount_formatter(env, currency)
                for value in (0, 0.005, 7.5, 1234.5, -1234567.891, 98765432.1):
                    self.assertEqual(formatter(value), format_amount(env, value, currency), (code, value))

    def test_item_table_in_the_partner_language(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.rossi.lang = "it_IT"
        invoice = self._invoice(self.rossi, -10, 1234.5)
        comm = self._run(send=False).communication_ids
        table = comm.with_context(lang="it_IT").item_table_html
        self.assertIn(invoice.invoice_date_due.strftime("%d/%m/%Y"), table)
        self.assertIn("1.234,50", table)
        self.assertIn(invoice.name, table)
        self.assertIn(invoice._reminder_pay_url(), table)

    def test_errors_are_per_partner_and_reported(self):
        nobody = self._create_customer("Nobody", [("Dan Pop", "Vânzări")])
        self._invoice(nobody, -10)
        self._invoice(self.bihor, -10)
        run = self._run()
        comms = run.communication_ids
        failed = comms.filtered(lambda c: c.partner_id == nobody)
        self.assertEqual(failed.state, "error")
        self.assertIn("Conta, %Manage", failed.error_message)
        self.assertEqual((comms - failed).state, "sent")
        self.assertEqual(run.state, "done")
        self.assertEqual((run.sent_count, run.error_count), (1, 1))
        self.assertIn("Nobody", run.report_html)
        self.assertIn("Bihor", run.report_html)
        report = run.message_ids.filtered(lambda m: self.handler.partner_id in m.partner_ids)
        self.assertEqual(len(report), 1, "the execution report goes to the responsible")
        # the failed invoice is tried again by the next run, once fixed
        nobody.child_ids.function = "Contabilitate"
        run = self._run(1)
        self.assertEqual(run.communication_ids.partner_id, nobody)

    def test_template_failure_is_an_error_not_a_crash(self):
        self.firm.mail_template_id.body_html = "<p t-out='object.partner_id.does_not_exist'/>"
        self._invoice(self.bihor, -10)
        with mute_logger("odoo.addons.mail.models.mail_render_mixin"):
            run = self._run()
        self.assertEqual(run.communication_ids.state, "error")
        self.assertIn("render", run.communication_ids.error_message)
        self.assertEqual(run.state, "done")

    def test_same_run_twice_sends_nothing_new(self):
        self._invoice(self.bihor, -10)
        self._invoice(self.rossi, -10)
        self._run()
        self.assertEqual(len(self._customer_mails()), 2)
        run = self._run()
        self.assertFalse(run.communication_ids)
        self.assertFalse(self._customer_mails())

    def test_killed_run_resumes_without_sending_twice(self):
        customers = self.bihor | self.rossi | self._create_customer("Kowalski", [("Anna Nowak", "Contable")])
        for customer in customers:
            self._invoice(customer, -10)
        run = self._run(send=False)
        self.env["ir.config_parameter"].set_param("mail.batch_size", 1)
        original = ReminderDunningCommunication._dunning_send
        calls = []

        def crash_on_second_batch(comms):
            calls.append(comms.id)
            if len(calls) == 2:
                raise MemoryError("worker killed")
            return original(comms)

        # no assertRaises: it would roll back the first batch, which a cron commits
        with (
            patch.object(ReminderDunningCommunication, "_dunning_send", crash_on_second_batch),
            self.mock_mail_gateway(),
        ):
            try:
                run.action_send()
            except MemoryError:
                pass
            else:
                self.fail("the worker should have been killed")
        self.assertEqual(run.state, "sending")
        self.assertEqual(run.communication_ids.mapped("send_state").count("queued"), 1)
        self._send(run)
        self.assertEqual(len(self._customer_mails()), 2, "only the two not sent before the crash")
        self.assertEqual(run.state, "done")
        self.assertEqual(set(run.communication_ids.mapped("send_state")), {"queued"})
        self.assertEqual(len(run.communication_ids.line_ids.filtered(lambda line: line.state == "sent")), 3)
        Line = self.env["reminder.dunning.line"]
        self.assertEqual(Line.search([("state", "=", "sent")]), run.communication_ids.line_ids)
        self.assertFalse(Line.search([("state", "in", ("pending", "cancelled"))]))

    def test_concurrent_runs_cannot_both_send(self):
        self._invoice(self.bihor, -10)
        first = self._run(send=False)
        second = self._run(send=False)
        self.assertEqual(len(first.communication_ids), 1)
        self.assertFalse(second.communication_ids, "the invoice waits in the first run")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env["reminder.dunning.line"].create(
                {
                    "communication_id": first.communication_ids.id,
                    "move_id": first.communication_ids.line_ids.move_id.id,
                    "level_id": self.firm.id,
                }
            )
        with patch.object(type(first), "_try_lock", return_value=False), self.mock_mail_gateway():
            self.assertFalse(first._send_resumable(), "another worker holds the run")
        self.assertFalse(self._customer_mails())

    def test_invoice_paid_before_sending_is_dropped(self):
        paid = self._invoice(self.bihor, -10)
        unpaid = self._invoice(self.bihor, -12)
        only = self._invoice(self.rossi, -10)
        run = self._run(send=False)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=(paid | only).ids
        ).create({"group_payment": False})._create_payments()
        self._send(run)
        bihor_comm = run.communication_ids.filtered(lambda c: c.partner_id == self.bihor)
        self.assertEqual(bihor_comm.state, "sent")
        self.assertNotIn(paid.name, self._customer_mails().body_html)
        self.assertIn(unpaid.name, self._customer_mails().body_html)
        rossi_comm = run.communication_ids - bihor_comm
        self.assertEqual(rossi_comm.state, "cancelled")
        self.assertEqual(len(self._customer_mails()), 1)

    def test_pause_dispute_and_exclusion(self):
        invoice = self._invoice(self.bihor, -10)
        self.bihor.reminder_excluded = True
        self.assertFalse(self._run().communication_ids)
        self.bihor.write(
            {"reminder_excluded": False, "reminder_promise_date": self.today + timedelta(days=5)}
        )
        self.assertFalse(self._run().communication_ids)
        self.bihor.write({"reminder_promise_date": False, "reminder_dispute": True})
        self.assertFalse(self._run().communication_ids)
        self.bihor.reminder_dispute = False
        invoice.reminder_dispute = True
        self.assertFalse(self._run().communication_ids)
        invoice.write({"reminder_dispute": False, "reminder_promise_date": self.today + timedelta(days=3)})
        self.assertFalse(self._run(1).communication_ids, "promised in 3 days")
        self.assertTrue(self._run(4).communication_ids, "the promise date has passed")


@tagged("post_install", "-at_install")
class TestDunningChannels(DunningCommon):
    def test_invoice_pdfs_attached_and_never_rendered_twice(self):
        self.firm.attach_invoices = True
        self.final.attach_invoices = True
        invoice = self._invoice(self.bihor, -10)
        Report = type(self.env["ir.actions.report"])
        with patch.object(
            Report, "_pre_render_qweb_pdf", autospec=True, side_effect=Report._pre_render_qweb_pdf
        ) as render:
            self._run()
            attachment = self._customer_mails().attachment_ids
            self.assertEqual(len(attachment), 1)
            self.assertTrue(attachment.raw.startswith(b"%PDF"))
            self.assertEqual(attachment, invoice.invoice_pdf_report_id)
            self._run(30)  # the final level attaches the same invoice again
            self.assertEqual(self._customer_mails().attachment_ids, attachment)
        self.assertEqual(render.call_count, 1, "the stored invoice PDF is reused")

    def test_letter_statement_sms_and_activity(self):
        self.firm.write(
            {
                "channel_letter": True,
                "channel_activity": True,
                "attach_statement": True,
                "channel_sms": True,
                "sms_template_id": self.env.ref("reminder_automation.sms_template_dunning").id,
            }
        )
        self.bihor.child_ids.filtered(lambda c: c.function == "Manager").mobile = "+40722123456"
        invoice = self._invoice(self.bihor, -10)
        run = self._run()
        comm = run.communication_ids
        self.assertTrue(comm.letter_attachment_id.raw.startswith(b"%PDF"))
        statement = self._customer_mails().attachment_ids
        self.assertEqual(len(statement), 1)
        self.assertTrue(statement.raw.startswith(b"%PDF"))
        self.assertEqual(comm.sms_ids.mapped("number"), ["+40722123456"])
        self.assertIn(invoice.currency_id.symbol, comm.sms_ids.body)
        self.assertEqual(comm.activity_id.user_id, self.salesperson)
        self.assertEqual(comm.activity_id.res_id, self.bihor.id)

    def test_tracking_states(self):
        self._invoice(self.bihor, -10)
        run = self._run()
        comm = run.communication_ids
        self.assertEqual(comm.state, "sent")
        tracking = comm.tracking_email_ids
        self.assertEqual(len(tracking), 2, "one per recipient")
        tracking[0].event_create("open", {})
        self.assertEqual(comm.state, "opened")
        self.assertTrue(comm.partner_id.reminder_dunning_communication_ids)
        invoice_lines = comm.line_ids.move_id.reminder_dunning_line_ids
        self.assertEqual(invoice_lines.comm_state, "opened", "visible on the invoice")
        self.assertEqual(comm.line_ids.move_id.reminder_dunning_level_id, self.firm)

    def test_bounce(self):
        self._invoice(self.bihor, -10)
        comm = self._run().communication_ids
        for tracking in comm.tracking_email_ids:
            tracking.event_create("hard_bounce", {})
        self.assertEqual(comm.state, "bounced")

    def test_preview_sends_nothing(self):
        self._invoice(self.bihor, -10)
        run = self._run(send=False)
        with self.mock_mail_gateway():
            action = run.communication_ids.action_preview()
        preview = self.env[action["res_model"]].browse(action["res_id"])
        self.assertIn("overdue", preview.subject)
        self.assertIn("Ioana Popescu", preview.recipients)
        self.assertIn(run.communication_ids.line_ids.move_id.name, preview.body_html)
        self.assertFalse(self._customer_mails())
        self.assertEqual(run.communication_ids.state, "draft")


@tagged("post_install", "-at_install")
class TestDunningRuns(DunningCommon):
    def test_cron_prepares_and_sends_on_schedule(self):
        self.policy.write({"schedule": "weekly", "next_run_date": self.today})
        self._invoice(self.bihor, -10)
        with self.mock_mail_gateway():
            self.env["reminder.dunning.policy"]._cron_run_policies()
        run = self.policy.run_ids
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self._customer_mails()), 1)
        self.assertEqual(self.policy.next_run_date, self.today + timedelta(days=7))
        with self.mock_mail_gateway():
            self.env["reminder.dunning.policy"]._cron_run_policies()
        self.assertEqual(len(self.policy.run_ids), 1, "not due again before next week")

    def test_large_run_is_sent_by_the_cron_and_its_sender_notified(self):
        self.env["ir.config_parameter"].set_param("reminder_automation.dunning_background_threshold", 1)
        self._invoice(self.bihor, -10)
        self._invoice(self.rossi, -10)
        run = self._run(send=False)
        cron = self.env.ref("reminder_automation.ir_cron_dunning")
        sender = self.handler.copy({"login": "sender", "email": "sender@company.example"})
        with self.mock_mail_gateway():
            action = run.with_user(sender).action_send()
        self.assertEqual(action["params"]["title"], "Sending in the background")
        self.assertEqual((run.state, run.send_user_id, run.processed_count), ("sending", sender, 0))
        self.assertFalse(self._customer_mails(), "nothing sent in the user's request")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        with self.mock_mail_gateway():
            self.env["reminder.dunning.policy"]._cron_run_policies()
        self.assertEqual((run.state, run.processed_count, run.communication_count), ("done", 2, 2))
        self.assertEqual(len(self._customer_mails()), 2)
        report = run.message_ids.filtered(lambda message: "execution report" in (message.subject or ""))
        self.assertIn(sender.partner_id, report.partner_ids, "the sender is notified")
        self.env.cr.precommit.run()
        notified = self.env["bus.bus"].sudo().search([("message", "like", "simple_notification")])
        self.assertEqual(
            [json.loads(bus.channel)[1:] for bus in notified], [["res.partner", sender.partner_id.id]]
        )

    def test_start_new_run_and_cancel(self):
        self._invoice(self.bihor, -10)
        action = self.policy.with_user(self.handler).action_start_run()
        run = self.env["reminder.dunning.run"].browse(action["res_id"])
        self.assertEqual(run.state, "prepared")
        run.action_cancel()
        self.assertEqual(run.communication_ids.line_ids.mapped("state"), ["cancelled"])
        self.assertTrue(self._run().communication_ids, "a cancelled run frees its invoices")
        with self.assertRaises(UserError):
            run.action_send()

    def test_cancelled_communication_frees_its_invoice(self):
        invoice = self._invoice(self.bihor, -10)
        self._run(send=False).communication_ids.action_cancel()
        self.assertEqual(invoice.reminder_dunning_line_ids.state, "cancelled")
        self.assertEqual(self._run(1).communication_ids.line_ids.move_id, invoice)
        self.assertEqual(self._levels_sent(invoice), [("Firm", 0)])

    def test_access_rights(self):
        self._invoice(self.bihor, -10)
        run = self._run()
        accountant = new_test_user(
            self.env,
            "accountant",
            groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        with self.assertRaises(AccessError):
            run.with_user(accountant).read(["name"])
        with self.assertRaises(AccessError):
            self.env["reminder.dunning.communication"].with_user(accountant).search([])
        self.assertEqual(self.env["reminder.dunning.run"].with_user(self.handler).search([]), run)
        other_company = self.setup_other_company()["company"]
        outsider = new_test_user(
            self.env,
            "outsider",
            groups="reminder_automation.group_reminder_dunning",
            company_id=other_company.id,
            company_ids=[other_company.id],
        )
        self.assertFalse(self.env["reminder.dunning.run"].with_user(outsider).search([]))
        with self.assertRaises(AccessError):
            self.policy.with_user(self.handler).write({"name": "Changed"})

    def test_prepare_query_count_does_not_grow_with_invoices(self):
        customers = self._create_customers_with_accountant(30)
        for customer in customers:
            self._invoice(customer, -10)
            self._invoice(customer, -40)

        def prepare_queries(partners):
            run = self.env["reminder.dunning.run"].create({"policy_id": self.policy.id, "date": self.today})
            self.policy.partner_domain = str([("id", "in", partners.ids)])
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            run.action_prepare()
            self.env.flush_all()
            count = self.env.cr.sql_log_count - before
            self.assertEqual(len(run.communication_ids.line_ids), 2 * len(partners))
            run.action_cancel()
            return count

        prepare_queries(customers[:1])  # warm the access rules' cache
        small, large = prepare_queries(customers[:3]), prepare_queries(customers)
        self.assertEqual(small, large)
        self.assertLessEqual(large, 25)
