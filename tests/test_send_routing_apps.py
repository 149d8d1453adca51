from odoo.fields import Command
from odoo.tests import tagged

from .test_send_routing import SendRoutingCommon


@tagged("post_install", "-at_install")
class TestDocumentSendRouting(SendRoutingCommon):
    """The Send buttons of Sales, Purchase and Inventory, which open Odoo's
    composer (those apps are installed in the test database)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref("sales_team.group_sale_salesman")
        cls.product = cls.env["product.product"].create(
            {"name": "Steel beam", "type": "consu", "list_price": 50}
        )

    def _subscribe(self, xmlid):
        doc_type = self.env.ref(f"reminder_automation.{xmlid}")
        self.ioana.reminder_document_type_ids = doc_type
        self.mihai.reminder_cc_document_type_ids = doc_type

    def _composer(self, action):
        return self.env["mail.compose.message"].with_context(action["context"]).create({})

    def _send(self, composer):
        composer.action_send_mail()
        self.env["mail.mail"].process_email_queue()

    def test_quotation_send_proposes_the_subscribed_contacts(self):
        self._subscribe("document_type_quotation")
        order = self.env["sale.order"].create(
            {"partner_id": self.bihor.id, "order_line": [Command.create({"product_id": self.product.id})]}
        )
        composer = self._composer(order.action_quotation_send())
        self.assertEqual(composer.partner_ids, self.ioana | self.mihai)
        self._send(composer)
        self.assertEqual(self._delivered_to(), ["ioana@bihor.example", "mihai@bihor.example"])
        self.assertIn(order.name, self.smtp.messages[0].subject)

    def test_pec_quotation_goes_to_the_pec_address_through_the_pec_server(self):
        self._subscribe("document_type_quotation")
        self.env.ref("reminder_automation.document_type_quotation").requires_pec = True
        self.ioana.pec_email = "ioana@pec.example.it"
        order = self.env["sale.order"].create(
            {"partner_id": self.bihor.id, "order_line": [Command.create({"product_id": self.product.id})]}
        )
        self._send(self._composer(order.action_quotation_send()))
        self.assertFalse(self.smtp.messages, "no ordinary copy")
        [message] = self.pec_smtp.messages
        self.assertEqual(message.rcpt_tos, ["ioana@pec.example.it"])
        self.assertIn(order.name, message.subject)
        [(name, _content_type, _content)] = message.attachments()
        self.assertIn(order.name, name, "the quotation's report is attached")
        self.assertEqual(order.state, "sent", "sent as by Odoo's own Send")
        self.assertEqual(order.message_ids[0].subject, message.subject, "kept in the quotation's chatter")

    def test_quotation_without_subscription_goes_to_the_customer(self):
        order = self.env["sale.order"].create(
            {"partner_id": self.rossi.id, "order_line": [Command.create({"product_id": self.product.id})]}
        )
        proposed = self._composer(order.action_quotation_send()).partner_ids
        self.assertIn(self.rossi, proposed, "Odoo's own choice")
        self.assertFalse(proposed & self.rossi.child_ids)

    def test_purchase_order_send_proposes_the_subscribed_contacts(self):
        self._subscribe("document_type_purchase_order")
        order = self.env["purchase.order"].create(
            {"partner_id": self.bihor.id, "order_line": [Command.create({"product_id": self.product.id})]}
        )
        order.button_confirm()
        composer = self._composer(order.action_rfq_send())
        self.assertEqual(composer.partner_ids, self.ioana | self.mihai)

    def test_delivery_slip_send_proposes_the_subscribed_contacts_hiding_confidential_ones(self):
        self._subscribe("document_type_delivery_slip")
        self.ioana.sudo().reminder_confidential = True
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        picking = self.env["stock.picking"].create(
            {
                "partner_id": self.bihor.id,
                "picking_type_id": warehouse.out_type_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 2,
                            "location_id": warehouse.lot_stock_id.id,
                            "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.write({"quantity": 2, "picked": True})
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        stock_user = self.env["res.users"].create(
            {
                "name": "Storekeeper",
                "login": "storekeeper",
                "email": "storekeeper@company.example",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "group_ids": [Command.set(self.env.ref("stock.group_stock_user").ids)],
            }
        )
        composer = (
            self.env["mail.compose.message"]
            .with_user(stock_user)
            .with_context(
                default_model="stock.picking",
                default_res_ids=picking.ids,
                default_composition_mode="comment",
                default_template_id=self.env.ref("stock.mail_template_data_delivery_confirmation").id,
            )
            .create({})
        )
        self.assertEqual(composer.partner_ids, self.mihai, "Ioana is confidential")
        self._send(composer)
        self.assertEqual(self._delivered_to(), ["ioana@bihor.example", "mihai@bihor.example"])
