from datetime import timedelta

from odoo import fields
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .test_delivery import DeliveryCommon


@tagged("post_install", "-at_install")
class TestGenericDocument(DeliveryCommon):
    """Bihor (Romania, Oradea, VIP, the seller's) bought steel beams two
    months ago, Rossi (Italy, Milano) eight months ago, Verdi (Italy, Roma)
    paint last month."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Category = cls.env["product.category"]
        cls.steel = Category.create({"name": "Steel"})
        cls.beam = cls.env["product.product"].create({"name": "Beam", "categ_id": cls.steel.id})
        cls.paint = cls.env["product.product"].create(
            {"name": "Paint", "categ_id": Category.create({"name": "Paint"}).id}
        )
        cls.vip = cls.env["res.partner.category"].create({"name": "VIP"})
        cls.bihor.write(
            {
                "country_id": cls.env.ref("base.ro").id,
                "city": "Oradea",
                "category_id": cls.vip.ids,
                "user_id": cls.salesperson.id,
            }
        )
        cls.rossi.write({"country_id": cls.env.ref("base.it").id, "city": "Milano"})
        cls.verdi.write({"country_id": cls.env.ref("base.it").id, "city": "Roma"})
        cls.ioana, cls.mihai = cls.bihor.child_ids.sorted("id")
        cls.giulia, cls.luca = cls.rossi.child_ids.sorted("id")
        cls.anna = cls.verdi.child_ids
        today = fields.Date.today()
        cls._sell(cls.bihor, cls.beam, today - timedelta(days=60))
        cls._sell(cls.rossi, cls.beam, today - timedelta(days=240))
        cls._sell(cls.verdi, cls.paint, today - timedelta(days=30))

    @classmethod
    def _sell(cls, customer, product, date):
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": date,
                "invoice_line_ids": [
                    Command.create({"product_id": product.id, "price_unit": 100, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()

    def _wizard(self, user=None, **filters):
        """The form as ``user`` fills it in, the price list uploaded."""
        env = self.env(user=user or self.env.user)
        price_list = env["ir.attachment"].create(
            {"name": "price-list.pdf", "raw": b"%PDF-1.4 price list", "mimetype": "application/pdf"}
        )
        return env["reminder.generic.document"].create(
            {
                "subject": "Our new price list",
                "body_html": "<p>Please find our new prices attached.</p>",
                "attachment_ids": [Command.set(price_list.ids)],
                **filters,
            }
        )

    def _partners(self, **filters):
        return self._wizard(**filters)._partners()

    def _recipients(self, user=None, **filters):
        wizard = self._wizard(user, **filters)
        return wizard._recipients(wizard._partners())

    def test_every_customer_by_default(self):
        self.assertEqual(self._partners(), self.bihor | self.rossi | self.verdi)

    def test_tags_salesperson_country_state_city(self):
        self.assertEqual(self._partners(category_ids=self.vip.ids), self.bihor)
        self.assertEqual(self._partners(salesperson_ids=self.salesperson.ids), self.bihor)
        self.assertEqual(self._partners(country_ids=self.env.ref("base.it").ids), self.rossi | self.verdi)
        self.assertEqual(self._partners(city="milano"), self.rossi)
        lombardy = self.env["res.country.state"].search([("country_id.code", "=", "IT"), ("code", "=", "MI")])
        self.rossi.state_id = lombardy
        self.assertEqual(self._partners(state_ids=lombardy.ids), self.rossi)

    def test_bought_product_or_category_in_the_last_months(self):
        self.assertEqual(self._partners(product_ids=self.beam.ids, months=6), self.bihor)
        self.assertEqual(self._partners(product_ids=self.beam.ids, months=12), self.bihor | self.rossi)
        self.assertEqual(self._partners(product_category_ids=self.steel.ids, months=6), self.bihor)
        self.assertEqual(
            self._partners(product_ids=self.paint.ids, product_category_ids=self.steel.ids, months=6),
            self.bihor | self.verdi,
        )
        self.assertFalse(self._partners(product_ids=self.beam.ids, partner_kind="vendor"))

    def test_contact_function_and_subscription(self):
        self.assertEqual(self._recipients(function_patterns="Conta"), self.ioana | self.giulia | self.anna)
        self.assertEqual(self._recipients(function_patterns="%manag"), self.mihai)
        statement = self.env.ref("reminder_automation.document_type_account_statement")
        self.luca.reminder_document_type_ids = statement
        self.mihai.reminder_cc_document_type_ids = statement
        self.assertEqual(self._recipients(document_type_id=statement.id), self.luca | self.mihai)
        self.assertEqual(self._recipients(document_type_id=statement.id, function_patterns="Vend"), self.luca)

    def test_without_contact_filter_generic_documents_are_routed(self):
        generic = self.env.ref("reminder_automation.document_type_generic")
        self.giulia.reminder_document_type_ids = generic
        self.assertEqual(self._recipients(), self.bihor | self.giulia | self.verdi)

    def test_confidential_contacts_only_for_their_group(self):
        self.ioana.sudo().reminder_confidential = True
        self.assertEqual(self._recipients(self.handler, function_patterns="Conta"), self.giulia | self.anna)
        wizard = self._wizard(self.handler, function_patterns="Conta")
        self.assertEqual((wizard.partner_count, wizard.recipient_count), (3, 2))
        self.handler.group_ids += self.env.ref("reminder_automation.group_reminder_confidential")
        self.assertEqual(
            self._recipients(self.handler, function_patterns="Conta"), self.ioana | self.giulia | self.anna
        )

    def test_reminder_user_without_accounting_counts_the_buyers_and_prepares(self):
        user = new_test_user(
            self.env,
            "clerk",
            groups="base.group_user,reminder_automation.group_reminder_user",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        form = self.env.ref("reminder_automation.reminder_generic_document_view_form")
        self.env["reminder.generic.document"].with_user(user).get_views([(form.id, "form")])
        wizard = self._wizard(user, product_ids=self.beam.ids, months=12)
        self.assertEqual((wizard.partner_count, wizard.recipient_count), (2, 2))
        batch = self.env["reminder.dispatch.batch"].with_user(user).browse(wizard.action_prepare()["res_id"])
        self.assertEqual(
            batch.line_ids.partner_id, self.bihor | self.rossi, "no contact subscribed: the partners"
        )

    def test_count_shown_before_sending(self):
        wizard = self._wizard(product_ids=self.beam.ids, months=12, function_patterns="Conta")
        self.assertEqual((wizard.partner_count, wizard.recipient_count), (2, 2))
        wizard.months = 6
        self.assertEqual((wizard.partner_count, wizard.recipient_count), (1, 1))

    def test_prepared_batch_delivers_the_files_to_each_recipient(self):
        wizard = self._wizard(self.handler, product_ids=self.beam.ids, months=12, function_patterns="Conta")
        action = wizard.action_prepare()
        batch = self.env["reminder.dispatch.batch"].browse(action["res_id"])
        self.assertEqual(batch.state, "prepared")
        self.assertEqual(batch.line_ids.partner_id, self.ioana | self.giulia)
        self.assertEqual(
            sorted(batch.line_ids.mapped("email_to")),
            sorted([self.giulia.email_formatted, self.ioana.email_formatted]),
        )
        batch.with_user(self.handler).action_send()
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(
            sorted(a for m in self.smtp.messages for a in m.rcpt_tos),
            ["giulia@rossi.example", "ioana@bihor.example"],
        )
        for message in self.smtp.messages:
            self.assertEqual(message.subject, "Our new price list")
            self.assertIn("Please find our new prices attached.", message.html())
            self.assertEqual(
                message.attachments(), [("price-list.pdf", "application/pdf", b"%PDF-1.4 price list")]
            )
        self.assertEqual(set(batch.line_ids.mapped("state")), {"sent"})
