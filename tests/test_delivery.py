from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from .common import DunningCommon, pdf_text
from .loopback_smtp import LoopbackSMTPServer, enable_smtp_in_tests


class DeliveryCommon(DunningCommon):
    """Reminders delivered for real: Odoo's mail queue connects to a local
    SMTP server and the tests read the messages as they arrived."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.smtp = cls._start_smtp_server()
        cls.pec_smtp = cls._start_smtp_server()
        cls.startClassPatcher(enable_smtp_in_tests(cls.env))
        cls.env["ir.mail_server"].search([]).active = False
        cls.env["ir.mail_server"].create(
            [
                {"name": "Loopback", "smtp_host": "127.0.0.1", "smtp_port": cls.smtp.port, "sequence": 1},
                {
                    "name": "Loopback PEC",
                    "smtp_host": "127.0.0.1",
                    "smtp_port": cls.pec_smtp.port,
                    "sequence": 2,
                    "reminder_is_pec": True,
                },
            ]
        )
        cls.policy.write({"cc_email": "finance@company.example", "cc_salesperson": True})
        cls.verdi = cls._create_customer("Verdi", [("Anna Verdi", "Contabilità")])

    @classmethod
    def _start_smtp_server(cls):
        server = LoopbackSMTPServer()
        server.start()
        cls.addClassCleanup(server.stop)
        return server

    def setUp(self):
        super().setUp()
        self.smtp.clear()
        self.pec_smtp.clear()

    def _deliver(self, run):
        """Send the run and let Odoo's mail queue deliver what it queued, in one queue run."""
        run.with_context(force_report_rendering=True).action_send()
        self.env["mail.mail"].process_email_queue()

    def _received(self, customer):
        """The messages addressed to ``customer``'s contacts."""
        domain = f"@{customer.name.lower()}.example"
        return [m for m in self.smtp.messages if any(a.endswith(domain) for a in m.addresses("To"))]


@tagged("post_install", "-at_install")
class TestDelivery(DeliveryCommon):
    def test_one_queue_run_delivers_every_customer_with_shared_to_and_cc(self):
        for customer in (self.bihor, self.rossi, self.verdi):
            self._invoice(customer, -10)
        run = self._run(send=False)
        self._deliver(run)

        comms = run.communication_ids
        self.assertEqual(comms.mapped("state"), ["sent"] * 3)
        mails = self.env["mail.mail"].search([("mail_message_id", "in", comms.mail_message_id.ids)])
        self.assertEqual(set(mails.mapped("state")), {"sent"}, "no mail left in the queue")

        received = self._received(self.bihor)
        expected_to = ["ioana@bihor.example", "mihai@bihor.example"]
        expected_cc = ["finance@company.example", "seller@company.example"]
        self.assertEqual(len(received), 3, "one copy per contact and one for the copies")
        for message in received:
            self.assertEqual(sorted(message.addresses("To")), expected_to)
            self.assertEqual(sorted(message.addresses("Cc")), expected_cc)
            self.assertIn("billing@company.example", message.message["Reply-To"])
        delivered_to = sorted(address for message in received for address in message.rcpt_tos)
        self.assertEqual(delivered_to, sorted(expected_to + expected_cc), "each recipient exactly once")
        for customer, contact in ((self.rossi, "giulia@rossi.example"), (self.verdi, "anna@verdi.example")):
            copies = self._received(customer)
            self.assertEqual(len(copies), 2)
            self.assertEqual({m.addresses("To")[0] for m in copies}, {contact})
            self.assertEqual(sorted(a for m in copies for a in m.rcpt_tos), sorted([contact, *expected_cc]))

    def test_one_email_to_all_contacts(self):
        self.policy.email_copies = "one"
        self._invoice(self.bihor, -10)
        run = self._run(send=False)
        self._deliver(run)
        received = self._received(self.bihor)
        self.assertEqual(len(received), 2, "one message to the contacts, one to the copies")
        customer = next(m for m in received if "ioana@bihor.example" in m.rcpt_tos)
        staff = next(m for m in received if m is not customer)
        self.assertEqual(sorted(customer.rcpt_tos), ["ioana@bihor.example", "mihai@bihor.example"])
        self.assertEqual(sorted(staff.rcpt_tos), ["finance@company.example", "seller@company.example"])
        for message in received:
            self.assertEqual(sorted(message.addresses("To")), ["ioana@bihor.example", "mihai@bihor.example"])
            self.assertEqual(
                sorted(message.addresses("Cc")), ["finance@company.example", "seller@company.example"]
            )
        self.assertTrue(customer.message["X-Odoo-MailTracking-ID"])
        self.assertFalse(staff.message["X-Odoo-MailTracking-ID"], "the copies are not tracked")
        comm = run.communication_ids
        self.assertEqual(comm.state, "sent")
        tracking = comm.tracking_email_ids
        self.assertEqual(len(tracking), 1)
        self.assertTrue(tracking.reminder_customer_copy)
        tracking.event_create("open", {})
        self.assertEqual(comm.state, "opened")

    def test_mail_cron_delivers_the_queue(self):
        for customer in (self.bihor, self.rossi, self.verdi):
            self._invoice(customer, -10)
        run = self._run(send=False)
        run.action_send()
        # the cron job runs on a cursor of its own: let it see this test's transaction
        with self.enter_registry_test_mode():
            self.env.ref("mail.ir_cron_mail_scheduler_action").method_direct_trigger()
        self.assertEqual([len(self._received(c)) for c in (self.bihor, self.rossi, self.verdi)], [3, 2, 2])
        self.assertEqual(run.communication_ids.mapped("state"), ["sent"] * 3)

    def test_only_the_invoices_in_the_mail_are_attached(self):
        self.firm.attach_invoices = True
        paid = self._invoice(self.bihor, -10)
        unpaid = self._invoice(self.bihor, -12)
        run = self._run(send=False)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=paid.ids
        ).create({})._create_payments()
        self._deliver(run)
        received = self._received(self.bihor)
        self.assertEqual(len(received), 3)
        for message in received:
            attachments = message.attachments()
            self.assertEqual(len(attachments), 1, "the paid invoice is not attached")
            name, content_type, pdf = attachments[0]
            self.assertEqual(content_type, "application/pdf")
            text = pdf_text(pdf)
            self.assertIn(unpaid.name, text)
            self.assertNotIn(paid.name, message.html())
            self.assertEqual(message.html().count(unpaid.name), 1, "one row for the open invoice")

    def test_customer_chatter_keeps_what_was_sent(self):
        invoice = self._invoice(self.bihor, -10)
        run = self._run(send=False)
        self._deliver(run)
        message = run.communication_ids.mail_message_id
        self.assertEqual(message.model, "res.partner")
        self.assertEqual(message.res_id, self.bihor.id)
        self.assertIn(invoice.name, str(message.body))
        self.assertTrue(message.subject)

    def test_staff_copies_do_not_count_as_opened(self):
        self._invoice(self.bihor, -10)
        run = self._run(send=False)
        self._deliver(run)
        comm = run.communication_ids
        trackings = comm.tracking_email_ids
        self.assertEqual(len(trackings), 3)
        self.assertTrue(all(trackings.mapped("recipient")), "every tracking row names its recipient")
        staff = trackings.filtered(lambda t: "finance@company.example" in t.recipient)
        self.assertFalse(staff.reminder_customer_copy)
        staff.event_create("open", {})
        self.assertEqual(comm.state, "sent", "the finance mailbox's open is not the customer's")
        mihai = trackings.filtered(lambda t: t.partner_id.name == "Mihai Ionescu")
        self.assertEqual(mihai.recipient_address, "mihai@bihor.example")
        mihai.event_create("open", {})
        self.assertEqual(comm.state, "opened")
        self.assertEqual(mihai.state, "opened", "the open is attributed to the contact who opened")
        self.assertNotEqual(
            trackings.filtered(lambda t: t.partner_id.name == "Ioana Popescu").state, "opened"
        )

    def test_dunning_handler_sends_an_activity_level(self):
        self.firm.channel_activity = True
        self._invoice(self.bihor, -10)
        self._invoice(self.rossi, -10)
        run = self._run(send=False)
        self._deliver(run.with_user(self.handler))
        comms = run.communication_ids
        self.assertEqual(comms.mapped("send_state"), ["queued", "queued"])
        self.assertEqual(sorted(comms.activity_id.mapped("res_id")), sorted((self.bihor | self.rossi).ids))
        self.assertEqual(len(self._received(self.rossi)), 2)

    def test_one_customer_failing_is_that_customers_error(self):
        self.firm.channel_activity = True
        self._invoice(self.bihor, -10)
        self._invoice(self.rossi, -10)
        run = self._run(send=False)
        Communication = type(run.communication_ids)
        schedule = Communication._schedule_activities

        def schedule_but_not_for_bihor(comms):
            if self.bihor in comms.partner_id:
                raise UserError("Bihor's salesperson has left")
            return schedule(comms)

        with patch.object(
            Communication, "_schedule_activities", autospec=True, side_effect=schedule_but_not_for_bihor
        ):
            self._deliver(run.with_user(self.handler))
        bihor_comm = run.communication_ids.filtered(lambda c: c.partner_id == self.bihor)
        rossi_comm = run.communication_ids - bihor_comm
        self.assertEqual(bihor_comm.send_state, "error")
        self.assertIn("salesperson has left", bihor_comm.error_message)
        self.assertEqual(rossi_comm.send_state, "queued")
        self.assertEqual(rossi_comm.activity_id.res_id, self.rossi.id)

    def test_routing_errors_shown_when_prepared_and_retried_after_the_fix(self):
        lonely = self._create_customer("Lonely", [("Paolo Bruni", "Vendite")])
        self._invoice(lonely, -10)
        self._invoice(self.bihor, -10)
        run = self._run(send=False)
        lonely_comm = run.communication_ids.filtered(lambda c: c.partner_id == lonely)
        bihor_comm = run.communication_ids - lonely_comm
        self.assertEqual(lonely_comm.send_state, "error", "known when prepared, before sending")
        self.assertIn("Conta, %Manage", lonely_comm.error_message)
        self.assertEqual(lonely_comm.total_due_text, bihor_comm.total_due_text, "the amounts are kept")
        self.assertEqual(lonely_comm.line_ids.mapped("state"), ["pending"], "its invoice is not cancelled")
        self.assertEqual(
            bihor_comm.email_to,
            '"Ioana Popescu" <ioana@bihor.example>, "Mihai Ionescu" <mihai@bihor.example>',
        )
        self.assertIn("finance@company.example", bihor_comm.email_cc)

        self._deliver(run)
        self.assertFalse(self._received(lonely))
        self.assertEqual(run.error_count, 1)
        self.assertIn("Lonely", run.report_html)

        lonely.child_ids.function = "Contabilità"
        lonely_comm.action_retry()
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(lonely_comm.state, "sent")
        self.assertEqual(len(self._received(lonely)), 2)
        self.assertEqual(run.error_count, 0)
        with self.assertRaises(UserError):
            bihor_comm.action_retry()

    def test_a_later_run_reminds_the_invoices_of_a_failed_communication(self):
        lonely = self._create_customer("Lonely", [("Paolo Bruni", "Vendite")])
        self._invoice(lonely, -10)
        failed = self._run(send=False).communication_ids
        self.assertEqual(failed.send_state, "error")
        lonely.child_ids.function = "Contabilità"
        later = self._run(1, send=False).communication_ids
        self.assertEqual(later.level_id, failed.level_id, "the level it never received")
        self.assertEqual(later.send_state, "draft")
        self.assertEqual(failed.line_ids.mapped("state"), ["cancelled"], "superseded by the later run")


@tagged("post_install", "-at_install")
class TestRecurringInvoiceDelivery(DeliveryCommon):
    def test_pec_invoice_goes_through_the_pec_server_to_the_pec_address(self):
        self.env.ref("reminder_automation.document_type_invoice").requires_pec = True
        self.verdi.pec_email = "verdi@pec.example"
        template = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.verdi.id,
                "invoice_line_ids": [
                    Command.create({"name": "Maintenance", "price_unit": 120.0, "tax_ids": []})
                ],
            }
        )
        recurrence = self.env["reminder.recurrence"].create(
            {
                "name": "Monthly maintenance",
                "kind": "invoice",
                "template_invoice_id": template.id,
                "rule_type": "monthly",
                "day": self.today.day,
                "date_start": self.today,
                "horizon_days": 5,
            }
        )
        recurrence.action_generate_occurrences()
        occurrence = recurrence.occurrence_ids[:1]
        occurrence.activity_id.with_context(force_report_rendering=True).action_done()
        self.env["mail.mail"].process_email_queue()

        invoice = occurrence.invoice_id
        self.assertTrue(invoice.is_move_sent)
        self.assertFalse(self._received(self.verdi), "nothing through the ordinary server")
        [message] = self.pec_smtp.messages
        self.assertEqual(message.rcpt_tos, ["verdi@pec.example"])
        self.assertEqual(message.addresses("To"), ["verdi@pec.example"])
        [(_name, content_type, pdf)] = message.attachments()
        self.assertEqual(content_type, "application/pdf")
        self.assertIn(invoice.name, pdf_text(pdf))
