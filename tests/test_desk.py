import re
from datetime import timedelta

from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import pdf_text
from .test_delivery import DeliveryCommon


@tagged("post_install", "-at_install")
class TestDesk(DeliveryCommon):
    """The credit controller's desk: a reminder sent or printed now for one
    customer or one invoice goes through the dunning engine; a run's
    letters print as one PDF; a customer's dunning waits for its next action."""

    def _letter_pdf(self, action):
        """The PDF an ``act_url`` action of the desk downloads."""
        attachment_id = int(re.fullmatch(r"/web/content/(\d+)\?download=true", action["url"]).group(1))
        return self.env["ir.attachment"].browse(attachment_id).raw

    def test_send_now_from_the_customer_delivers_through_the_engine(self):
        invoice = self._invoice(self.bihor, -10)
        action = (
            self.bihor.with_user(self.handler)
            .with_context(force_report_rendering=True)
            .action_reminder_send_now()
        )
        self.env["mail.mail"].process_email_queue()

        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        received = self._received(self.bihor)
        delivered = sorted(a for m in received for a in m.rcpt_tos if a.endswith("bihor.example"))
        self.assertEqual(delivered, ["ioana@bihor.example", "mihai@bihor.example"], "routed as any run")
        comm = self.bihor.reminder_dunning_communication_ids
        self.assertEqual(comm.state, "sent")
        self.assertEqual(comm.run_id.state, "done")
        self.assertEqual(comm.run_id.partner_ids, self.bihor)
        self.assertEqual(self._levels_sent(invoice), [("Firm", 0)], "the level the invoice was due for")
        self.assertIn(comm.mail_message_id, self.bihor.message_ids, "in the customer's chatter")
        with self.assertRaisesRegex(UserError, "No reminder is due for Bihor"):
            self.bihor.with_user(self.handler).action_reminder_send_now()

    def test_send_now_from_an_invoice_reminds_that_invoice_only(self):
        reminded = self._invoice(self.rossi, -10)
        other = self._invoice(self.rossi, -40)
        reminded.with_user(self.handler).with_context(force_report_rendering=True).action_reminder_send_now()
        self.env["mail.mail"].process_email_queue()

        self.assertEqual(self._levels_sent(reminded), [("Firm", 0)])
        self.assertEqual(self._levels_sent(other), [], "the customer's other invoice waits for the runs")
        received = self._received(self.rossi)
        self.assertTrue(received)
        body = received[0].html()
        self.assertIn(reminded.name, body)
        self.assertNotIn(other.name, body)
        run = reminded.reminder_dunning_line_ids.run_id
        self.assertEqual(run.move_ids, reminded)
        # the next run reminds the other invoice, at the level it is due for
        self._run(send=False).action_send()
        self.assertEqual(self._levels_sent(other), [("Firm", 0)])
        self.assertEqual(self._levels_sent(reminded), [("Firm", 0)], "never the same level twice")

    def test_send_now_reports_a_customer_nobody_can_receive(self):
        self.verdi.child_ids.function = "Vendite"
        self._invoice(self.verdi, -10)
        action = self.verdi.with_user(self.handler).action_reminder_send_now()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("No contact of Verdi", action["params"]["message"])
        self.assertEqual(self.verdi.reminder_dunning_communication_ids.send_state, "error")

    def test_send_now_needs_a_policy_and_something_due(self):
        self._invoice(self.bihor, -1)
        with self.assertRaises(UserError) as refused:
            self.bihor.with_user(self.handler).action_reminder_send_now()
        self.assertIn("No reminder is due for Bihor", str(refused.exception))
        self.assertFalse(self.env["reminder.dunning.run"].search([("partner_ids", "in", self.bihor.ids)]))
        self.company.reminder_dunning_policy_id = False
        with self.assertRaises(UserError) as refused:
            self.bihor.with_user(self.handler).action_reminder_send_now()
        self.assertRegex(str(refused.exception), "No dunning policy of .* applies to Bihor")

    def test_print_now_returns_the_letter_and_records_the_level(self):
        invoice = self._invoice(self.bihor, -10)
        action = (
            invoice.with_user(self.handler)
            .with_context(force_report_rendering=True)
            .action_reminder_print_now()
        )
        self.env["mail.mail"].process_email_queue()
        pdf = self._letter_pdf(action)
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = " ".join(pdf_text(pdf).split())
        self.assertIn("Bihor", text)
        self.assertIn(invoice.name, text)
        self.assertEqual(self._levels_sent(invoice), [("Firm", 0)])
        comm = invoice.reminder_dunning_line_ids.communication_id
        self.assertTrue(comm.run_id.letters_only)
        self.assertTrue(comm.letter_attachment_id)
        self.assertEqual(self._received(self.bihor), [], "printed, not e-mailed")

    def test_run_letters_print_as_one_pdf(self):
        self.firm.write({"channel_letter": True, "channel_email": False})
        customers = (self.bihor, self.rossi, self.verdi)
        for customer in customers:
            self._invoice(customer, -10)
        run = self._run(send=False)
        run.with_context(force_report_rendering=True).action_send()
        self.assertEqual(run.letter_count, 3)
        text = pdf_text(self._letter_pdf(run.with_user(self.handler).action_print_letters()))
        for customer in customers:
            self.assertIn(customer.name, text)
        self.assertEqual(text.count("\f"), 3, "one page per letter")

    def test_run_without_letters_prints_nothing(self):
        self._invoice(self.bihor, -10)
        run = self._run(send=False)
        self._deliver(run)
        with self.assertRaisesRegex(UserError, "printed no letter"):
            run.action_print_letters()

    def test_next_action_date_postpones_the_customer(self):
        invoice = self._invoice(self.bihor, -10)
        self._invoice(self.rossi, -10)
        later = self.today + timedelta(days=5)
        self.bihor.write({"reminder_next_action_date": later, "reminder_next_action": "Call the accountant"})
        run = self._run(send=False)
        self.assertEqual(run.communication_ids.partner_id, self.rossi)
        waiting = self.policy._due_items(self.today, self.bihor.ids, waiting=True)
        self.assertEqual([(item.move_id, item.next_date) for item in waiting], [(invoice.id, later)])
        with self.assertRaisesRegex(UserError, "next reminder of Bihor is due on"):
            self.bihor.with_user(self.handler).action_reminder_send_now()
        self.assertEqual(self._run(days_from_today=5, send=False).communication_ids.partner_id, self.bihor)

    def test_postpone_from_reminders_to_handle(self):
        self._invoice(self.bihor, -10)
        self._invoice(self.rossi, -10)
        Todo = self.env["reminder.todo"].with_user(self.handler)
        Todo._refresh_rows()
        row = Todo.search([("user_id", "=", self.handler.id), ("partner_id", "=", self.bihor.id)])
        action = row.action_postpone()
        later = self.today + timedelta(days=5)
        Wizard = self.env[action["res_model"]].with_user(self.handler).with_context(action["context"])
        with self.assertRaises(AccessError):
            self.bihor.with_user(self.handler).reminder_next_action = "a handler may not edit contacts"
        with self.assertRaises(ValidationError):
            Wizard.create({"date": self.today}).action_apply()
        Wizard.create({"date": later, "next_action": "Call the accountant"}).action_apply()

        self.assertEqual(self.bihor.reminder_next_action_date, later)
        self.env.cr.precommit.run()  # tracking is posted when the transaction commits
        tracked = self.bihor.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "reminder_next_action_date"
        )
        self.assertEqual(tracked.mail_message_id.author_id, self.handler.partner_id, "in the chatter")
        Todo._refresh_rows()
        rows = Todo.search([("user_id", "=", self.handler.id)])
        postponed = rows.filtered(lambda row: row.partner_id == self.bihor)
        self.assertTrue(postponed.waiting, "listed, not due before its next action")
        self.assertEqual(postponed.next_date, later)
        self.assertEqual(postponed.next_action, "Call the accountant")
        self.assertEqual(rows.filtered_domain([("next_action_date", ">", self.today)]), postponed)
        self.assertEqual(Todo.search([("next_action_date", ">", self.today)]), postponed, "filterable")
        self.assertFalse(rows.filtered(lambda row: row.partner_id == self.rossi).waiting)

    def _open(self, user, record, view_type="form"):
        """Read ``record`` as ``user`` through its view, as the web client
        does: the fields of the view itself, not of its x2many subviews."""
        views = record.with_user(user).get_views([(False, view_type)])
        fields = views["models"][record._name]["fields"]

        def field_nodes(node):
            for child in node:
                if child.tag == "field":
                    yield child
                else:
                    yield from field_nodes(child)

        spec = {
            node.get("name"): {"fields": {"display_name": {}}}
            if fields[node.get("name")]["type"] in ("many2one", "one2many", "many2many")
            else {}
            for node in field_nodes(etree.fromstring(views["views"][view_type]["arch"]))
        }
        return record.with_user(user).web_read(spec)[0]

    def test_every_group_uses_the_desk(self):
        limited = new_test_user(
            self.env,
            "limited",
            email="limited@company.example",
            groups="base.group_user,reminder_automation.group_reminder_dunning",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        reminder_user = new_test_user(
            self.env, "reminder_user", groups="reminder_automation.group_reminder_user"
        )
        invoice = self._invoice(self.bihor, -10, salesperson=limited)
        self._open(reminder_user, self.bihor)
        values = self._open(limited, self.bihor)
        self.assertFalse(values["reminder_next_action_date"])

        Todo = self.env["reminder.todo"].with_user(limited)
        Todo._refresh_rows()
        self._open(limited, Todo.search([("user_id", "=", limited.id)]), "list")
        other = self._invoice(self.rossi, -10, salesperson=limited)
        action = (
            self.rossi.with_user(limited)
            .with_context(force_report_rendering=True)
            .action_reminder_print_now()
        )
        self.assertEqual(action["type"], "ir.actions.act_url", action)
        self.assertIn(other.name, pdf_text(self._letter_pdf(action)))

        # a handler without invoicing rights nor contact editing rights
        action = self.bihor.with_user(limited).action_reminder_send_now()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(self._levels_sent(invoice), [("Firm", 0)])
        run = invoice.reminder_dunning_line_ids.run_id
        self.assertEqual(
            self._open(limited, run)["partner_ids"], [{"id": self.bihor.id, "display_name": "Bihor"}]
        )
        wizard_action = self.bihor.with_user(limited).action_reminder_postpone()
        wizard = (
            self.env["reminder.postpone"]
            .with_user(limited)
            .with_context(wizard_action["context"])
            .create({"date": self.today + timedelta(days=3)})
        )
        self._open(limited, wizard)
        wizard.action_apply()
        self.assertEqual(self.bihor.reminder_next_action_date, self.today + timedelta(days=3))
