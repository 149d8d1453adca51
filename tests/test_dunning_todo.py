from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from .common import DunningCommon


class TodoCommon(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Todo = cls.env["reminder.todo"]
        cls.tulcea = cls._create_customer("Tulcea", [("Ana Pop", "Contabil")])

    def _rows(self, user=None):
        """Recompute the dashboard of ``user`` (the handler) and return its rows."""
        Todo = self.Todo.with_user(user or self.handler)
        Todo._refresh_rows()
        return Todo.search([])

    def _by_partner(self, rows):
        return {row.partner_id: row for row in rows}


@tagged("post_install", "-at_install")
class TestDunningTodo(TodoCommon):
    def test_live_rows(self):
        self._invoice(self.bihor, -10, amount=100.0)
        self._invoice(self.bihor, -40, amount=50.0)
        eur = self.setup_other_currency("EUR")
        self._invoice(self.rossi, 2, amount=30.0, currency=eur)
        self._invoice(self.tulcea, 10)  # not due for any level yet
        rows = self._by_partner(self._rows())
        self.assertEqual(set(rows), set(self.bihor | self.rossi))
        bihor, rossi = rows[self.bihor], rows[self.rossi]
        self.assertEqual(
            (bihor.level_id, bihor.item_count, bihor.amount_due, bihor.days_late), (self.firm, 2, 150.0, 40)
        )
        self.assertEqual(bihor.salesperson_id, self.salesperson)
        self.assertIn("ioana@bihor.example", bihor.recipients)
        self.assertIn("mihai@bihor.example", bihor.recipients)
        self.assertFalse(bihor.no_recipient)
        self.assertEqual((rossi.level_id, rossi.days_late), (self.courtesy, -2))
        self.assertIn("30.00", rossi.amount_text)
        self.assertIn("giulia@rossi.example", rossi.recipients)
        self.assertEqual(self.Todo.with_user(self.handler).get_systray_data()["count"], 2)

    def test_no_recipient_flag(self):
        nobody = self._create_customer("Nobody", [("Dan Sales", "Vendite")])
        self._invoice(nobody, -10)
        row = self._rows()
        self.assertTrue(row.no_recipient)
        self.assertTrue(row.route_error)
        self.assertEqual(self.Todo.with_user(self.handler).search([("no_recipient", "=", True)]), row)

    def test_pause_dispute_exclusion(self):
        self._invoice(self.bihor, -10)
        disputed = self._invoice(self.rossi, -10)
        self._invoice(self.tulcea, -10)
        self.assertEqual(len(self._rows()), 3)
        self.bihor.reminder_promise_date = self.today + timedelta(days=5)
        disputed.reminder_dispute = True
        self.tulcea.reminder_excluded = True
        self.assertFalse(self._rows())

    def test_level_already_sent(self):
        self._invoice(self.bihor, -10)
        self._invoice(self.rossi, -10)
        self._run(policy=self.policy)  # sends the firm level to both
        self.assertFalse(self._rows())
        self._invoice(self.rossi, -8)  # a new invoice: its own firm level is due
        self.assertEqual(self._rows().partner_id, self.rossi)

    def test_pending_run_not_listed(self):
        self._invoice(self.bihor, -10)
        self._run(send=False)
        self.assertFalse(self._rows())

    def test_access_rights(self):
        limited = new_test_user(
            self.env,
            "limited",
            email="limited@company.example",
            groups="base.group_user,reminder_automation.group_reminder_dunning",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        self._invoice(self.bihor, -10, salesperson=limited)
        self._invoice(self.rossi, -10)
        self.assertEqual(self._rows().partner_id, self.bihor | self.rossi)
        # without invoicing rights: the customers of one's own invoices only
        self.assertEqual(self._rows(limited).partner_id, self.bihor)
        # customers the user may not read are not listed
        self.rossi.reminder_confidential = True
        self.assertEqual(self._rows().partner_id, self.bihor)
        # nobody sees the lines of another user
        self.assertFalse(self.Todo.with_user(limited).search([("partner_id", "=", self.rossi.id)]))

    def test_multi_company(self):
        other = self.setup_other_company()
        other_company = other["company"]
        other_policy = self.policy.copy({"name": "Other", "company_id": other_company.id})
        other_company.reminder_dunning_policy_id = other_policy
        customer = self._create_customer("Cluj", [("Radu Pop", "Contabil")])
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "company_id": other_company.id,
                "invoice_date": self.today - timedelta(days=40),
                "invoice_date_due": self.today - timedelta(days=10),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Service", "quantity": 1, "price_unit": 10.0, "tax_ids": [Command.clear()]}
                    )
                ],
            }
        )
        move.action_post()
        self._invoice(self.bihor, -10)
        self.assertEqual(self._rows().partner_id, self.bihor)
        self.handler.company_ids = [Command.link(other_company.id)]
        both = self.Todo.with_user(self.handler).with_context(
            allowed_company_ids=[self.company.id, other_company.id]
        )
        both._refresh_rows()
        rows = both.search([])
        self.assertEqual(rows.partner_id, self.bihor | customer)
        self.assertEqual(rows.filtered(lambda r: r.partner_id == customer).policy_id, other_policy)

    def test_grouping_per_invoice(self):
        self.policy.grouping = "invoice"
        first, second = self._invoice(self.bihor, -10), self._invoice(self.bihor, -40)
        rows = self._rows()
        self.assertEqual(rows.move_id, first | second)
        self.assertEqual(rows.mapped("item_count"), [1, 1])
        self.assertEqual(set(rows.mapped("record_ref")), {first, second})

    def test_generic_columns(self):
        """Every engine's row shows the same columns: source, record,
        partner, when, what, warning; a dunning row is its customer's."""
        self._invoice(self.bihor, -10, amount=100.0)
        nobody = self._create_customer("Nobody", [("Dan Sales", "Vendite")])
        self._invoice(nobody, -10)
        rows = self._by_partner(self._rows())
        bihor = rows[self.bihor]
        self.assertEqual(
            (bihor.source, bihor.res_model, bihor.res_id), ("dunning", "res.partner", self.bihor.id)
        )
        self.assertEqual(bihor.record_ref, self.bihor)
        self.assertIn(self.firm.name, bihor.name)
        self.assertIn("100.00", bihor.name)
        self.assertEqual(fields.Datetime.context_timestamp(bihor, bihor.date).date(), bihor.next_date)
        self.assertFalse(bihor.route_error)
        self.assertTrue(rows[nobody].route_error)
        self.assertTrue(bihor.has_preview)
        action = bihor.with_user(self.handler).action_open_record()
        self.assertEqual((action["res_model"], action["res_id"]), ("res.partner", self.bihor.id))

    def test_send_selected(self):
        self._invoice(self.bihor, -10)
        self._invoice(self.rossi, -10)
        rows = self._by_partner(self._rows())
        with self.mock_mail_gateway():
            action = rows[self.bihor].with_user(self.handler).action_send_selected()
            self._new_mails.filtered(lambda mail: mail.state == "outgoing").send()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("1 reminders sent, 0 errors", action["params"]["message"])
        run = self.env["reminder.dunning.run"].search([("policy_id", "=", self.policy.id)])
        self.assertEqual((run.state, run.partner_ids, run.sent_count), ("done", self.bihor, 1))
        self.assertEqual(action["params"]["links"][0]["url"], f"/odoo/reminder.dunning.run/{run.id}")
        self.assertEqual(len(self._customer_mails()), 1)
        # the sent line is gone from the dashboard, the other stays
        remaining = self.Todo.with_user(self.handler).search([])
        self.assertEqual(remaining.partner_id, self.rossi)
        # the run locked in what was sent: nothing is due any more for Bihor
        self.assertFalse(
            self.env["reminder.dunning.policy"].browse(self.policy.id)._due_items(self.today, self.bihor.ids)
        )

    def test_send_all_shown(self):
        self._invoice(self.bihor, -10)
        self._invoice(self.rossi, -20)
        self._invoice(self.tulcea, 2)
        self._rows()
        Todo = self.Todo.with_user(self.handler).with_context(active_domain=[("days_late", ">", 0)])
        with self.mock_mail_gateway():
            action = Todo.action_send_all_shown()
        self.assertIn("2 reminders sent", action["params"]["message"])
        self.assertEqual(self.Todo.with_user(self.handler).search([]).partner_id, self.tulcea)

    def test_send_all_shown_says_what_is_left_to_the_background(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "reminder_automation.dunning_background_threshold", 1
        )
        self._invoice(self.bihor, -10)
        self._invoice(self.rossi, -20)
        self._rows()
        with self.mock_mail_gateway():
            action = self.Todo.with_user(self.handler).action_send_all_shown()
        self.assertIn("0 reminders sent", action["params"]["message"])
        self.assertIn("2 more are sent in the background", action["params"]["message"])

    def test_preview_writes_nothing(self):
        self._invoice(self.bihor, -10)
        row = self._rows()
        runs_before = self.env["reminder.dunning.run"].search_count([])
        action = row.with_user(self.handler).action_preview()
        wizard = self.env["reminder.todo.preview"].browse(action["res_id"])
        self.assertIn("ioana@bihor.example", wizard.recipients)
        self.assertTrue(wizard.subject)
        self.assertIn("Bihor", str(wizard.body_html))
        self.assertEqual(self.env["reminder.dunning.run"].search_count([]), runs_before)
        self.assertFalse(
            self.env["reminder.dunning.line"].search([("move_id.partner_id", "=", self.bihor.id)])
        )
        self.assertTrue(row.exists())

    def test_query_count_does_not_grow_with_invoices(self):
        customers = self._create_customers_with_accountant(20)
        Todo = self.Todo.with_user(self.handler)

        def queries():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            count = Todo._refresh_rows()
            return count, self.env.cr.sql_log_count - before

        for customer in customers[:3]:
            self._invoice(customer, -10)
            self._invoice(customer, -40)
        queries()  # warm caches (record rules, ...)
        queries()
        small = queries()
        for customer in customers[3:]:
            self._invoice(customer, -10)
            self._invoice(customer, -40)
        queries()  # the same warm caches (e.g. of the record rules) for both
        large = queries()
        self.assertEqual((small[0], large[0]), (3, 20))
        self.assertEqual(small[1], large[1])


@tagged("post_install", "-at_install")
class TestDunningTodoTour(TodoCommon, HttpCase):
    def test_reminder_todo_tour(self):
        self.handler.password = "handler"
        self._invoice(self.bihor, -10)
        self._invoice(self.rossi, -20)
        self._invoice(self.tulcea, 2)
        self.start_tour("/odoo", "reminder_todo_tour", login="handler")
        self.assertEqual(self.Todo.with_user(self.handler).search([]).partner_id, self.tulcea)
        self.assertEqual(self.env["reminder.dunning.run"].search([]).partner_ids, self.bihor | self.rossi)


@tagged("post_install", "-at_install")
class TestTodoHomeAction(TransactionCase):
    """Dunning handlers land on Reminders to handle through Odoo's Home
    Action, set when they become handlers or on request, never by data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.todo_action_id = cls.env.ref("reminder_automation.action_reminder_todo_open").id
        cls.handler_group = cls.env.ref("reminder_automation.group_reminder_dunning")

    def _user(self, login, groups="base.group_user", **values):
        return new_test_user(self.env, login, groups=groups, name=login.title(), **values)

    def test_new_handler_lands_on_todo(self):
        handler = self._user("handler", "base.group_user,reminder_automation.group_reminder_dunning")
        manager = self._user("manager", "base.group_user,reminder_automation.group_reminder_manager")
        self.assertEqual((handler | manager).action_id.ids, [self.todo_action_id])
        self.assertFalse(self._user("clerk").action_id)

    def test_user_made_handler_lands_on_todo(self):
        clerk = self._user("clerk")
        clerk.group_ids = [Command.link(self.handler_group.id)]
        self.assertEqual(clerk.action_id.id, self.todo_action_id)

    def test_own_home_action_kept(self):
        discuss = self.env.ref("mail.action_discuss")
        clerk = self._user("clerk", action_id=discuss.id)
        clerk.group_ids = [Command.link(self.handler_group.id)]
        self.assertEqual(clerk.action_id.id, discuss.id)
        clerk.action_reminder_land_on_todo()
        self.assertEqual(clerk.action_id.id, self.todo_action_id, "on request, it replaces the user's own")

    def test_only_handlers_on_request(self):
        clerk = self._user("clerk")
        with self.assertRaisesRegex(UserError, clerk.name):
            clerk.action_reminder_land_on_todo()
        self.assertFalse(clerk.action_id)

    def test_not_for_admin_by_data(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("reminder_automation.group_reminder_manager"))
        self.assertNotEqual(admin.action_id.id, self.todo_action_id)
