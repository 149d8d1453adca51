from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_delivery import DeliveryCommon


class SendRoutingCommon(DeliveryCommon):
    """Bihor's accountant receives its invoices, its manager in copy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_invoice = cls.env.ref("reminder_automation.document_type_invoice")
        cls.ioana, cls.mihai = cls.bihor.child_ids.sorted("id")
        cls.ioana.reminder_document_type_ids = cls.type_invoice
        cls.mihai.reminder_cc_document_type_ids = cls.type_invoice

    def _delivered_to(self, server=None):
        return sorted(address for message in (server or self.smtp).messages for address in message.rcpt_tos)


@tagged("post_install", "-at_install")
class TestInvoiceSendRouting(SendRoutingCommon):
    def _wizard(self, invoice, user=None):
        return (
            self.env["account.move.send.wizard"]
            .with_user(user or self.env.user)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({})
        )

    def test_send_wizard_proposes_the_subscribed_contacts_and_their_copies(self):
        invoice = self._invoice(self.bihor, 10)
        self.assertEqual(self._wizard(invoice).mail_partner_ids, self.ioana | self.mihai)

    def test_without_subscription_odoo_proposes_the_customer(self):
        invoice = self._invoice(self.rossi, 10)
        self.assertEqual(self._wizard(invoice).mail_partner_ids, self.rossi)

    def test_sent_invoice_reaches_the_subscribed_contacts(self):
        invoice = self._invoice(self.bihor, 10)
        self._wizard(invoice).action_send_and_print()
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(self._delivered_to(), ["ioana@bihor.example", "mihai@bihor.example"])
        for message in self.smtp.messages:
            self.assertIn(invoice.name, message.subject)
            self.assertTrue(message.attachments(), "the invoice is attached")
        self.assertTrue(invoice.is_move_sent)

    def test_confidential_contact_hidden_from_the_user_still_receives(self):
        self.ioana.sudo().reminder_confidential = True
        invoice = self._invoice(self.bihor, 10)
        wizard = self._wizard(invoice, self.handler)
        self.assertEqual(wizard.mail_partner_ids, self.mihai, "the handler does not see Ioana")
        self.env.user.group_ids += self.env.ref("reminder_automation.group_reminder_confidential")
        self.assertEqual(
            self._wizard(invoice).mail_partner_ids, self.ioana | self.mihai, "her group sees her"
        )
        wizard.action_send_and_print()
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(self._delivered_to(), ["ioana@bihor.example", "mihai@bihor.example"])

    def test_pec_type_sends_to_the_pec_address_through_the_pec_server(self):
        self.type_invoice.requires_pec = True
        self.ioana.pec_email = "ioana@pec.example.it"
        invoice = self._invoice(self.bihor, 10)
        self._wizard(invoice).action_send_and_print()
        self.env["mail.mail"].process_email_queue()
        self.assertFalse(self.smtp.messages, "no ordinary copy")
        [message] = self.pec_smtp.messages
        self.assertEqual(message.rcpt_tos, ["ioana@pec.example.it"])
        [(_name, content_type, _pdf)] = message.attachments()
        self.assertEqual(content_type, "application/pdf")
        self.assertIn(invoice.name, message.subject)
        self.assertTrue(invoice.is_move_sent)

    def test_pec_type_without_pec_address_is_refused(self):
        self.type_invoice.requires_pec = True
        invoice = self._invoice(self.bihor, 10)
        with self.assertRaisesRegex(UserError, "No PEC address for Bihor"):
            self._wizard(invoice).action_send_and_print()
