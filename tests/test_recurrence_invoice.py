import base64
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.mail.tests.common import MockEmail


@tagged("post_install", "-at_install")
class TestRecurringInvoice(AccountTestInvoicingCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_invoice = cls.env.ref("reminder_automation.document_type_invoice")
        cls.env.user.group_ids |= cls.env.ref("reminder_automation.group_reminder_user")
        cls.env.user.tz = "Europe/Rome"
        cls.customer = cls.env["res.partner"].create(
            {"name": "Rossi SpA", "is_company": True, "email": "office@rossi.example"}
        )
        cls.accountant, cls.buyer = cls.env["res.partner"].create(
            [
                {
                    "name": "Giulia Conti",
                    "function": "Contabilità",
                    "parent_id": cls.customer.id,
                    "email": "giulia@rossi.example",
                    "reminder_document_type_ids": [Command.link(cls.type_invoice.id)],
                },
                {
                    "name": "Marco Buyer",
                    "function": "Purchasing",
                    "parent_id": cls.customer.id,
                    "email": "marco@rossi.example",
                },
            ]
        )
        cls.template = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_line_ids": [
                    Command.create({"product_id": cls.product_a.id, "price_unit": 120.0, "tax_ids": []})
                ],
            }
        )
        with freeze_time("2026-01-05 10:00:00"):
            cls.recurrence = cls.env["reminder.recurrence"].create(
                {
                    "name": "Monthly maintenance",
                    "kind": "invoice",
                    "template_invoice_id": cls.template.id,
                    "rule_type": "monthly",
                    "day": 5,
                    "date_start": date(2026, 1, 5),
                    "horizon_days": 40,
                }
            )
            cls.recurrence.action_generate_occurrences()

    def test_generation_puts_issue_invoice_activities(self):
        occurrences = self.recurrence.occurrence_ids
        self.assertEqual(occurrences.mapped("date"), [date(2026, 1, 5), date(2026, 2, 5)])
        self.assertEqual(self.recurrence.partner_id, self.customer)
        activities = occurrences.activity_id
        self.assertEqual(
            activities.activity_type_id, self.env.ref("reminder_automation.mail_activity_type_issue_invoice")
        )
        self.assertEqual(activities.user_id, self.env.user)
        self.assertEqual(set(activities.mapped("res_model")), {"reminder.recurrence"})

    def test_preview_is_the_invoice_report(self):
        action = self.recurrence.action_preview_invoice()
        # Before the first print, Odoo asks to configure the document layout.
        report = action["context"]["report_action"] if action["type"] != "ir.actions.report" else action
        self.assertEqual(report["report_name"], "account.report_invoice_with_payments")
        self.assertEqual(report["context"]["active_ids"], self.template.ids)

    def test_done_activity_issues_posts_and_sends_the_invoice(self):
        occurrence = self.recurrence.occurrence_ids[0]
        with self.allow_pdf_render(), self.mock_mail_gateway():
            occurrence.activity_id.with_context(force_report_rendering=True).action_done()

        invoice = occurrence.invoice_id
        self.assertEqual(occurrence.state, "done")
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.partner_id, self.customer)
        self.assertEqual(invoice.amount_untaxed, 120.0)
        self.assertNotEqual(invoice, self.template)
        self.assertEqual(self.template.state, "draft", "the template stays a draft")

        pdf = invoice.invoice_pdf_report_id
        self.assertTrue(pdf, "Odoo's invoice sending stores the PDF")
        self.assertTrue(base64.b64decode(pdf.datas).startswith(b"%PDF"))

        mails = self._new_mails.filtered(lambda m: m.model == "account.move" and m.res_id == invoice.id)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.recipient_ids, self.accountant, "only the contact subscribed to invoices")
        self.assertTrue(mails.attachment_ids.filtered(lambda a: a.mimetype == "application/pdf"))
        self.assertTrue(invoice.is_move_sent)
        self.assertTrue(any(invoice.name in message.body for message in self.recurrence.message_ids))

    def test_nothing_is_issued_twice(self):
        occurrence = self.recurrence.occurrence_ids[0]
        with self.mock_mail_gateway():
            occurrence.activity_id.action_done()
            invoice = occurrence.invoice_id
            occurrence._issue_invoices()
            occurrence.action_done()
        self.assertEqual(occurrence.invoice_id, invoice)
        self.assertEqual(
            self.env["account.move"].search_count(
                [("partner_id", "=", self.customer.id), ("state", "=", "posted")]
            ),
            1,
        )

    def test_falls_back_to_the_customer_without_subscribed_contact(self):
        self.accountant.reminder_document_type_ids = False
        occurrence = self.recurrence.occurrence_ids[0]
        with self.mock_mail_gateway():
            occurrence.action_done()
        mails = self._new_mails.filtered(lambda m: m.res_id == occurrence.invoice_id.id)
        self.assertEqual(mails.recipient_ids, self.customer)

    def test_unreachable_customer_keeps_the_activity_to_do(self):
        (self.customer | self.accountant).email = False
        occurrence = self.recurrence.occurrence_ids[0]
        with self.assertRaisesRegex(UserError, "e-mail"):
            occurrence.activity_id.action_done()
        self.assertEqual(occurrence.state, "planned")
        self.assertTrue(occurrence.activity_id.active)
        self.assertFalse(occurrence.invoice_id)
