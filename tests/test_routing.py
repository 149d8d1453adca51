from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import ReminderCommon


@tagged("post_install", "-at_install")
class TestRouting(ReminderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bihor = cls._create_company_partner(
            "Bihor",
            [
                ("Ioana Popescu", "Contabilitate", cls.subscribe(cls.type_invoice)),
                ("Mihai Ionescu", "Manager General", cls.subscribe_cc(cls.type_invoice)),
                ("Dan Pop", "Vânzări", {}),
            ],
        )
        cls.ioana, cls.mihai, cls.dan = cls.bihor.child_ids.sorted("id")

    def route(self, partners, document_type=None, patterns=None, channel="email"):
        return partners._reminder_route(document_type, patterns, channel)

    def test_subscribed_contacts_receive_and_cc(self):
        route = self.route(self.bihor, self.type_invoice)[self.bihor.id]
        self.assertFalse(route.error)
        self.assertEqual(route.to, self.ioana)
        self.assertEqual(route.cc, self.mihai)
        self.assertFalse(route.is_pec)

    def test_fallback_to_partner_without_subscription(self):
        route = self.route(self.bihor, self.type_dunning)[self.bihor.id]
        self.assertFalse(route.error)
        self.assertEqual(route.to, self.bihor)
        self.assertFalse(route.cc)

    def test_patterns_select_contacts_whatever_their_subscriptions(self):
        route = self.route(self.bihor, self.type_invoice, "conta, %MANAGE")[self.bihor.id]
        self.assertEqual(route.to, self.ioana | self.mihai)
        self.assertFalse(route.cc, "a contact already in To is not repeated in CC")
        route = self.route(self.bihor, self.type_dunning, "Vanz")[self.bihor.id]
        self.assertEqual(route.to, self.dan, "accent-insensitive prefix")

    def test_company_without_matching_contact_is_an_error(self):
        route = self.route(self.bihor, self.type_invoice, "Direttore")[self.bihor.id]
        self.assertFalse(route.to)
        self.assertIn("Direttore", route.error)
        self.assertIn("Bihor", route.error)

    def test_individual_is_his_own_recipient(self):
        person = self.Partner.create({"name": "Ana Pop", "email": "ana@pop.example"})
        route = self.route(person, self.type_invoice, "Conta")[person.id]
        self.assertFalse(route.error)
        self.assertEqual(route.to, person)

    def test_contacts_without_email_are_dropped_or_reported(self):
        self.mihai.email = False
        route = self.route(self.bihor, self.type_invoice, "Conta, %Manage")[self.bihor.id]
        self.assertEqual(route.to, self.ioana)
        self.ioana.email = "not an address"
        route = self.route(self.bihor, self.type_invoice, "Conta, %Manage")[self.bihor.id]
        self.assertFalse(route.to)
        self.assertIn("Ioana Popescu", route.error)
        self.assertIn("Mihai Ionescu", route.error)

    def test_sms_channel_needs_a_number(self):
        self.ioana.mobile = "+40722123456"
        route = self.route(self.bihor, self.type_invoice, "Conta, %Manage", channel="sms")[self.bihor.id]
        self.assertEqual(route.to, self.ioana)
        route = self.route(self.bihor, self.type_invoice, "%Manage", channel="sms")[self.bihor.id]
        self.assertIn("Mihai Ionescu", route.error)

    def test_pec_addresses_of_recipients_else_partner(self):
        self.ioana.reminder_document_type_ids = [Command.link(self.type_declaration.id)]
        route = self.route(self.bihor, self.type_declaration)[self.bihor.id]
        self.assertIn("PEC", route.error)
        self.bihor.pec_email = "bihor@pec.example.it"
        route = self.route(self.bihor, self.type_declaration)[self.bihor.id]
        self.assertFalse(route.error)
        self.assertEqual(route.pec_emails, ["bihor@pec.example.it"])
        self.ioana.pec_email = "Ioana@PEC.example.it"
        route = self.route(self.bihor, self.type_declaration)[self.bihor.id]
        self.assertEqual(route.pec_emails, ["ioana@pec.example.it"])
        self.assertTrue(route.is_pec)

    def test_mail_values(self):
        route = self.route(self.bihor, self.type_invoice)[self.bihor.id]
        values = self.Partner._reminder_mail_recipient_values(route)
        self.assertEqual(values["recipient_ids"], [Command.set(self.ioana.ids)])
        self.assertIn("mihai.ionescu@bihor.example", values["email_cc"])
        self.assertNotIn("reminder_is_pec", values)

    def test_other_company_contacts_are_not_routed(self):
        company_a = self.env.company
        company_b = self.env["res.company"].create({"name": "Company B"})
        self.mihai.company_id = company_b
        user_a = new_test_user(
            self.env, "user_a", groups="base.group_user", company_id=company_a.id, company_ids=[company_a.id]
        )
        route = self.route(self.bihor.with_user(user_a), self.type_invoice, "Conta, %Manage")[self.bihor.id]
        self.assertEqual(route.to.ids, self.ioana.ids)

    def test_query_count_does_not_grow_with_partners(self):
        partners = self.Partner.create(
            [
                {"name": f"Customer {i}", "is_company": True, "email": f"c{i}@customer.example"}
                for i in range(200)
            ]
        )
        self.Partner.create(
            [
                {
                    "name": f"Contact {i}-{j}",
                    "function": function,
                    "parent_id": partner.id,
                    "email": f"{i}-{j}@customer.example",
                    **(self.subscribe(self.type_invoice) if j == 0 else self.subscribe_cc(self.type_invoice)),
                }
                for i, partner in enumerate(partners)
                for j, function in enumerate(("Contabilitate", "Manager"))
            ]
        )

        def count_queries(records):
            records.invalidate_recordset()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            routes = self.route(records, self.type_invoice, "Conta, %Manage")
            self.assertTrue(all(route.to and not route.error for route in routes.values()))
            return self.env.cr.sql_log_count - before

        small, large = count_queries(partners[:10]), count_queries(partners)
        self.assertEqual(small, large)
        self.assertLessEqual(large, 5)
