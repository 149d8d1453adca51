from lxml import etree

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestSecurity(DunningCommon, HttpCase):
    """Access probes as the users who reach the module from outside: portal,
    plain internal, Reminder User, handler of another company, handler."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company()["company"]
        cls.policy_b = cls.policy.copy({"name": "Company B", "company_id": cls.company_b.id})
        cls.company_b.reminder_dunning_policy_id = cls.policy_b
        cls.outsider = cls._user(
            "outsider",
            "account.group_account_invoice,reminder_automation.group_reminder_dunning",
            cls.company_b,
        )
        cls.clerk = cls._user("clerk", "base.group_user")
        cls.reminder_user = cls._user("reminder_user", "reminder_automation.group_reminder_user")
        cls.manager = cls._user(
            "manager", "account.group_account_invoice,reminder_automation.group_reminder_manager"
        )
        cls.limited = cls._user("limited", "reminder_automation.group_reminder_dunning")
        cls.handler.password = "handler-pw"
        cls.secret = cls.Partner.sudo().create(
            {
                "name": "Secret Contabil",
                "function": "Contabilitate",
                "parent_id": cls.bihor.id,
                "email": "secret@bihor.example",
                "reminder_confidential": True,
            }
        )
        cls.ioana = cls.bihor.child_ids.filtered(lambda c: c.name == "Ioana Popescu")
        cls.portal = new_test_user(
            cls.env,
            "portal_bihor",
            groups="base.group_portal",
            password="portal_bihor-pw",
            partner_id=cls.Partner.create({"name": "Portal", "parent_id": cls.bihor.id}).id,
        )

    @classmethod
    def _user(cls, login, groups, company=None):
        company = company or cls.company
        return new_test_user(
            cls.env,
            login,
            groups=f"base.group_user,{groups}",
            password=f"{login}-pw",
            email=f"{login}@company.example",
            company_id=company.id,
            company_ids=[company.id],
        )

    def _rpc(self, user, model, method, *args, **kwargs):
        self.authenticate(user.login, f"{user.login}-pw")
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def assertRpcRefused(self, exception, user, model, method, *args, **kwargs):
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as refused:
            self._rpc(user, model, method, *args, **kwargs)
        self.assertEqual(refused.exception.args[0], f"odoo.exceptions.{exception}")

    # ------------------------------------------------------------------
    # 1. Cross-company invoices
    # ------------------------------------------------------------------

    def _communication_b(self):
        """A run of company B with one communication, for Bihor."""
        self._invoice_b(self.bihor)
        run = self.env["reminder.dunning.run"].create({"policy_id": self.policy_b.id})
        run.action_prepare()
        return run.communication_ids.filtered(lambda comm: comm.partner_id == self.bihor)

    def _invoice_b(self, partner):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "company_id": self.company_b.id,
                "invoice_date": self.today,
                "invoice_date_due": self.today,
                "invoice_line_ids": [Command.create({"name": "B", "quantity": 1, "price_unit": 50})],
            }
        )
        move.action_post()
        return move

    def test_line_reminds_only_invoices_of_its_customer_and_company(self):
        invoice_a = self._invoice(self.bihor, -10)
        rossi_b = self._invoice_b(self.rossi)
        comm = self._communication_b()
        line_values = {"communication_id": comm.id, "level_id": comm.level_id.id, "repeat_count": 9}
        for move in (invoice_a, rossi_b):  # another company's, another customer's
            with self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.env["reminder.dunning.line"].create({**line_values, "move_id": move.id})
            with self.assertRaises(ValidationError), self.env.cr.savepoint():
                comm.line_ids.move_id = move
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            comm.partner_id = self.rossi

    def test_handlers_create_no_communication_nor_line(self):
        invoice_a = self._invoice(self.bihor, -10)
        comm = self._communication_b()
        self.assertRpcRefused(
            "AccessError",
            self.outsider,
            "reminder.dunning.communication",
            "create",
            [{"run_id": comm.run_id.id, "partner_id": self.bihor.id, "level_id": comm.level_id.id}],
        )
        self.assertRpcRefused(
            "AccessError",
            self.outsider,
            "reminder.dunning.line",
            "create",
            [{"communication_id": comm.id, "move_id": invoice_a.id, "level_id": comm.level_id.id}],
        )
        self.assertRpcRefused(
            "AccessError",
            self.outsider,
            "reminder.dunning.line",
            "write",
            comm.line_ids.ids,
            {"move_id": invoice_a.id},
        )

    def test_item_table_never_shows_another_company_invoice(self):
        invoice_a = self._invoice(self.bihor, -10)
        comm = self._communication_b()
        # a line of company A's invoice where no constraint runs: in SQL
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """INSERT INTO reminder_dunning_line
                          (communication_id, move_id, level_id, repeat_count, residual, cancelled)
                   VALUES (%s, %s, %s, 7, 100, FALSE)""",
                comm.id,
                invoice_a.id,
                comm.level_id.id,
            )
        )
        self.env.invalidate_all()
        [values] = self._rpc(self.outsider, comm._name, "read", comm.ids, ["item_table_html", "item_count"])
        self.assertEqual(values["item_count"], 1)
        [invoice_b] = comm.line_ids.move_id - invoice_a
        self.assertIn(f"/reminder/invoice/{invoice_b.id}/", values["item_table_html"])
        self.assertEqual(values["item_table_html"].count("Pay or reply"), 1)
        self.assertNotIn(f"/reminder/invoice/{invoice_a.id}/", values["item_table_html"])
        # nor can company B's handler read A's communications
        self._invoice(self.rossi, -10)
        run_a = self._run(send=False)
        self.assertRpcRefused(
            "AccessError", self.outsider, comm._name, "read", run_a.communication_ids.ids, ["item_table_html"]
        )

    def test_pay_link_signed_only_for_readable_invoices(self):
        invoice_a = self._invoice(self.bihor, -10)
        with self.assertRaises(AccessError):
            invoice_a.with_user(self.outsider)._reminder_pay_urls()
        # a handler without invoicing rights: through the dunning line only
        with self.assertRaises(AccessError):
            invoice_a.with_user(self.limited)._reminder_pay_urls()
        self._run(send=False)
        self.assertEqual(invoice_a.with_user(self.limited)._reminder_pay_url(), invoice_a._reminder_pay_url())
        self.assertEqual(invoice_a.with_user(self.handler)._reminder_pay_url(), invoice_a._reminder_pay_url())

    # ------------------------------------------------------------------
    # 5. Pay-now link
    # ------------------------------------------------------------------

    def test_pay_link_with_a_non_ascii_signature_is_not_found(self):
        invoice = self._invoice(self.bihor, -10)
        signature = invoice._reminder_pay_signature()
        for forged in ("é" + signature[1:], "ü", "%C3%A9%00"):
            response = self.url_open(f"/reminder/invoice/{invoice.id}/{forged}", allow_redirects=False)
            self.assertEqual(response.status_code, 404, forged)

    # ------------------------------------------------------------------
    # 2, 3. Confidential contacts
    # ------------------------------------------------------------------

    def test_portal_user_does_not_see_confidential_contacts(self):
        domain = [("parent_id", "=", self.bihor.id)]
        found = self._rpc(self.portal, "res.partner", "search_read", domain, ["name"])
        self.assertIn(self.ioana.id, [row["id"] for row in found], "the portal rule of base still applies")
        self.assertNotIn(self.secret.id, [row["id"] for row in found])
        named = self._rpc(self.portal, "res.partner", "name_search", "Secret")
        self.assertFalse(named)
        self.assertRpcRefused("AccessError", self.portal, "res.partner", "read", self.secret.ids, ["email"])

    def test_confidential_routing_same_for_cron_and_handler(self):
        self._invoice(self.bihor, -10)
        as_cron = self.env["reminder.dunning.run"].sudo().create({"policy_id": self.policy.id})
        as_cron.action_prepare()
        route = self.bihor._reminder_route(self.type_dunning, self.policy.function_patterns)[self.bihor.id]
        self.assertIn(self.secret, route.to)
        texts = as_cron.communication_ids.read(["email_to", "email_cc"])
        as_cron.action_cancel()
        as_handler = (
            self.env["reminder.dunning.run"].with_user(self.handler).create({"policy_id": self.policy.id})
        )
        as_handler.action_prepare()
        self.assertEqual(
            as_handler.communication_ids.read(["email_to", "email_cc"])[0] | {"id": 0}, texts[0] | {"id": 0}
        )
        self.assertIn("ioana@bihor.example", texts[0]["email_to"])
        self.assertIn("Confidential contact", texts[0]["email_to"])
        # sent by the handler, the confidential contact receives it too
        self._send(as_handler.with_user(self.handler))
        recipients = self._customer_mails().recipient_ids
        self.assertIn(self.secret, recipients)
        [values] = self._rpc(
            self.handler,
            as_handler.communication_ids._name,
            "read",
            as_handler.communication_ids.ids,
            ["email_to", "email_cc"],
        )
        for text in (values["email_to"], values["email_cc"] or ""):
            self.assertNotIn("secret", text.lower())

    # ------------------------------------------------------------------
    # 4. States
    # ------------------------------------------------------------------

    def test_states_not_writable_by_rpc(self):
        self._invoice(self.bihor, -10)
        run = self._run(send=False)
        comm = run.communication_ids
        self.assertRpcRefused(
            "AccessError", self.handler, comm._name, "write", comm.ids, {"send_state": "queued"}
        )
        self.assertRpcRefused("AccessError", self.handler, run._name, "write", run.ids, {"state": "done"})
        self.assertRpcRefused(
            "AccessError", self.handler, run._name, "create", [{"policy_id": self.policy.id, "state": "done"}]
        )
        self.assertEqual((comm.send_state, run.state), ("draft", "prepared"))
        # the engine's own methods still change them
        self._rpc(self.handler, comm._name, "action_cancel", comm.ids)
        comm.invalidate_recordset()
        self.assertEqual(comm.send_state, "cancelled")

    # ------------------------------------------------------------------
    # 6. Every group can open the screens its menus lead to
    # ------------------------------------------------------------------

    def _open(self, user, action_xmlid, record):
        """What the web client does to open ``record`` from an action: load
        the action's list and form views, search, then read the form."""
        action = self.env.ref(action_xmlid)
        views = self._rpc(
            user,
            record._name,
            "get_views",
            [[False, "list"], [False, "form"], [False, "search"]],
            options={"action_id": action.id},
        )
        fields = views["models"][record._name]["fields"]

        def field_nodes(node):
            """The fields of the form itself, not of its x2many subviews."""
            for child in node:
                if child.tag == "field":
                    yield child
                else:
                    yield from field_nodes(child)

        arch = etree.fromstring(views["views"]["form"]["arch"])
        spec = {
            node.get("name"): {"fields": {"display_name": {}}}
            if fields[node.get("name")]["type"] in ("many2one", "one2many", "many2many")
            else {}
            for node in field_nodes(arch)
        }
        self._rpc(user, record._name, "web_search_read", [], specification={"display_name": {}}, limit=80)
        values = self._rpc(user, record._name, "web_read", record.ids, specification=spec)
        return values[0] if values else None

    def test_every_group_opens_its_screens(self):
        self._invoice(self.bihor, -10)
        run = self._run()
        comm = run.communication_ids
        contacts = "reminder_automation.res_partner_action_routing"
        self._open(self.clerk, "base.action_partner_form", self.bihor)
        self._open(self.reminder_user, contacts, self.bihor)
        self._open(
            self.reminder_user,
            "reminder_automation.reminder_recurrence_action",
            self.env["reminder.recurrence"],
        )
        for user in (self.handler, self.manager):
            values = self._open(user, contacts, self.bihor)
            self.assertEqual(values["reminder_dunning_communication_count"], 1)
            self._open(user, "reminder_automation.reminder_dunning_run_action", run)
            self._open(user, "reminder_automation.reminder_dunning_communication_action", comm)
            aging = self.env["reminder.aging"].search([("partner_id", "=", self.bihor.id)])
            self._open(user, "reminder_automation.reminder_aging_action", aging)
        self._open(self.manager, "reminder_automation.reminder_dunning_policy_action", self.policy)
        self.assertRpcRefused(
            "AccessError", self.reminder_user, comm._name, "search_read", [], ["partner_id"]
        )
