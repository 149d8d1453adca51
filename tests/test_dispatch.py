from datetime import timedelta
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.reminder_automation.models.reminder_dispatch_line import ReminderDispatchLine

from . import test_security
from .common import pdf_text
from .test_delivery import DeliveryCommon


class DispatchCommon(DeliveryCommon):
    """A customer whose contacts subscribe to the documents they handle: the
    accountant to invoices and credit notes, the logistics clerk to
    delivery slips (the office in copy), the buyer to quotations and
    orders; a supplier whose clerk receives purchase orders, goods
    receipts and payment advices. Sales, Purchase and Inventory installed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.env.user.sudo().group_ids = [
            Command.link(ref(xmlid).id)
            for xmlid in (
                "sales_team.group_sale_manager",
                "purchase.group_purchase_manager",
                "stock.group_stock_manager",
            )
        ]
        cls.types = {
            code: ref(f"reminder_automation.document_type_{code}")
            for code in (
                "invoice",
                "credit_note",
                "delivery_slip",
                "quotation",
                "sale_order",
                "purchase_order",
                "goods_receipt",
                "payment_advice",
            )
        }
        T = cls.types
        cls.acme = cls._create_company_partner(
            "Acme",
            [
                ("Ada Conti", "Accounting", cls._subscribe(T["invoice"], T["credit_note"])),
                ("Leo Rossi", "Logistics", cls._subscribe(T["delivery_slip"])),
                ("Bea Moro", "Purchasing", cls._subscribe(T["quotation"], T["sale_order"])),
                ("Otto Office", "Office", cls.subscribe_cc(T["delivery_slip"])),
            ],
        )
        cls.supplier = cls._create_company_partner(
            "Supplia",
            [
                (
                    "Sam Clerk",
                    "Sales",
                    cls._subscribe(T["purchase_order"], T["goods_receipt"], T["payment_advice"]),
                )
            ],
        )
        cls.Batch = cls.env["reminder.dispatch.batch"]

    @classmethod
    def _create_company_partner(cls, name, contacts=()):
        company = cls.env["res.partner"].create(
            {"name": name, "is_company": True, "email": f"office@{name.lower()}.example"}
        )
        cls.env["res.partner"].create(
            [
                {
                    "name": contact,
                    "function": function,
                    "parent_id": company.id,
                    "email": f"{contact.split()[0].lower()}@{name.lower()}.example",
                    **extra,
                }
                for contact, function, extra in contacts
            ]
        )
        return company

    @staticmethod
    def _subscribe(*types):
        return {"reminder_document_type_ids": [Command.set([t.id for t in types])]}

    @staticmethod
    def subscribe_cc(document_type):
        return {"reminder_cc_document_type_ids": [Command.link(document_type.id)]}

    def _contact(self, name):
        return self.env["res.partner"].search([("name", "=", name)])

    # documents ----------------------------------------------------------

    def _credit_note(self, partner):
        move = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": partner.id,
                "company_id": self.company.id,
                "invoice_date": self.today,
                "invoice_line_ids": [
                    Command.create({"name": "Refund", "price_unit": 10, "tax_ids": [Command.clear()]})
                ],
            }
        )
        move.action_post()
        return move

    def _sale_order(self, partner, confirm=False):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company.id,
                "order_line": [Command.create({"product_id": self.product_a.id, "product_uom_qty": 2})],
            }
        )
        if confirm:
            order.action_confirm()
        return order

    def _purchase_order(self, partner):
        order = self.env["purchase.order"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company.id,
                "order_line": [
                    Command.create({"product_id": self.product_a.id, "product_qty": 3, "price_unit": 5})
                ],
            }
        )
        order.button_confirm()
        return order

    def _done(self, pickings):
        for move in pickings.move_ids:
            move.quantity = move.product_uom_qty
        pickings.move_ids.picked = True
        pickings._action_done()
        return pickings

    def _payment(self, partner):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "outbound",
                "partner_type": "supplier",
                "partner_id": partner.id,
                "amount": 42,
                "company_id": self.company.id,
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        return payment

    # batches ------------------------------------------------------------

    def _prepare(self, types, partners, **values):
        batch = self.Batch.create(
            {
                "document_type_ids": [Command.set([t.id for t in types])],
                "partner_ids": [Command.set(partners.ids)],
                "company_id": self.company.id,
                **values,
            }
        )
        batch.action_prepare()
        return batch

    def _deliver(self, batch):
        batch.with_context(force_report_rendering=True).action_send()
        self.env["mail.mail"].process_email_queue()

    def _messages_to(self, address, server=None):
        """The messages delivered to ``address`` (each recipient gets a copy of his own)."""
        return [m for m in (server or self.smtp).messages if address in m.rcpt_tos]

    def _line_of(self, batch, document):
        return batch.line_ids.filtered(lambda line: line.document_ref == document)

    def _pdf_of(self, message):
        pdfs = [content for _name, ctype, content in message.attachments() if ctype == "application/pdf"]
        self.assertEqual(len(pdfs), 1, "the document's PDF, only")
        self.assertTrue(pdfs[0].startswith(b"%PDF"))
        return pdf_text(pdfs[0])


@tagged("post_install", "-at_install")
class TestDispatch(DispatchCommon):
    def test_each_type_goes_to_its_subscribed_contacts_with_its_text_and_pdf(self):
        invoice = self._invoice(self.acme, 30)
        credit_note = self._credit_note(self.acme)
        quotation = self._sale_order(self.acme)
        order = self._sale_order(self.acme, confirm=True)
        delivery = self._done(order.picking_ids)
        purchase = self._purchase_order(self.supplier)
        receipt = self._done(purchase.picking_ids)
        payment = self._payment(self.supplier)
        documents = {
            "invoice": (invoice, "ada@acme.example", "Invoice"),
            "credit_note": (credit_note, "ada@acme.example", "Credit Note"),
            "quotation": (quotation, "bea@acme.example", "Quotation"),
            "sale_order": (order, "bea@acme.example", "Order"),
            "delivery_slip": (delivery, "leo@acme.example", "Delivery Slip"),
            "purchase_order": (purchase, "sam@supplia.example", "Purchase Order"),
            "goods_receipt": (receipt, "sam@supplia.example", "Goods Receipt"),
            "payment_advice": (payment, "sam@supplia.example", "Payment Advice"),
        }
        batch = self._prepare(self.types.values(), self.acme | self.supplier)
        self.assertEqual(batch.state, "prepared")
        self.assertEqual(len(batch.line_ids), len(documents), "one line per document")
        delivery_line = self._line_of(batch, delivery)
        self.assertIn("leo@acme.example", delivery_line.email_to, "routed at preparation")
        self.assertIn("otto@acme.example", delivery_line.email_cc)
        self.assertFalse(invoice.is_move_sent)

        self._deliver(batch)

        self.assertEqual(batch.state, "done")
        self.assertEqual(
            set(batch.line_ids.mapped("state")), {"sent"}, batch.line_ids.mapped("error_message")
        )
        for code, (document, address, label) in documents.items():
            messages = [
                m for m in self._messages_to(address) if document.name in m.subject and label in m.subject
            ]
            self.assertEqual(len(messages), 1, f"{code}: one message to {address}")
            message = messages[0]
            template = self.types[code].mail_template_id
            self.assertIn(f"{self.company.name}: {label} {document.name}", message.subject, code)
            self.assertIn(document.name, message.html(), code)
            self.assertIn("Please find attached", message.html(), code)
            self.assertEqual(template.model, "reminder.dispatch.line")
            self.assertIn(document.name, self._pdf_of(message), f"{code}: the PDF prints the document")
        slip = next(m for m in self._messages_to("leo@acme.example") if delivery.name in m.subject)
        self.assertEqual(slip.addresses("Cc"), ["otto@acme.example"], "In Copy Of the delivery slips")
        self.assertFalse(self.pec_smtp.messages)
        self.assertEqual(
            (invoice | credit_note).mapped("is_move_sent"), [True, True], "marked sent as Odoo's Send does"
        )
        self.assertEqual(invoice.reminder_dispatch_line_count, 1, "smart button of the document")
        self.assertEqual(self.acme.reminder_dispatch_line_count, 5, "smart button of the partner")
        self.assertIn(
            self._line_of(batch, invoice).mail_message_id,
            invoice.message_ids,
            "the invoice's chatter keeps the e-mail",
        )

    def test_statement_and_dunning_letter_go_with_their_pdf(self):
        """The customers with open receivables get their statement, printed
        now; the letter a dunning run printed goes as printed."""
        statement_type = self.env.ref("reminder_automation.document_type_account_statement")
        self.final.channel_letter = True
        self._contact("Ioana Popescu").reminder_document_type_ids = statement_type | self.type_dunning
        invoice = self._invoice(self.bihor, -60, 1234.5)
        self._run()
        letter = self._run(30).communication_ids
        self.assertTrue(letter.letter_attachment_id)
        batch = self._prepare([statement_type, self.type_dunning], self.bihor | self.rossi)
        self.assertEqual(
            {(line.document_type_id, line.document_ref) for line in batch.line_ids},
            {(statement_type, self.bihor), (self.type_dunning, letter)},
            "Rossi owes nothing: no statement",
        )

        self._deliver(batch)

        self.assertEqual(
            set(batch.line_ids.mapped("state")), {"sent"}, batch.line_ids.mapped("error_message")
        )
        for doc_type, label in ((statement_type, "Account Statement"), (self.type_dunning, "Dunning Letter")):
            line = batch.line_ids.filtered(lambda line, t=doc_type: line.document_type_id == t)
            messages = [m for m in self._messages_to("ioana@bihor.example") if label in m.subject]
            self.assertEqual(len(messages), 1, label)
            text = " ".join(self._pdf_of(messages[0]).split())
            self.assertIn("Bihor", text, f"{label}: the customer's PDF")
            self.assertIn(invoice.name, text, f"{label}: its open invoice")
            self.assertEqual(line.state, "sent")
        self.assertEqual(
            batch.line_ids.filtered(lambda line: line.document_type_id == self.type_dunning).attachment_id,
            letter.letter_attachment_id,
            "the letter as the run printed it",
        )

    def test_stored_invoice_pdf_is_sent_without_printing(self):
        invoice = self._invoice(self.acme, 30)
        Send = self.env["account.move.send"].with_context(force_report_rendering=True)
        Send._generate_invoice_documents({invoice: Send._get_default_sending_settings(invoice)})
        stored = invoice.invoice_pdf_report_id
        self.assertTrue(stored)
        batch = self._prepare([self.types["invoice"]], self.acme)
        with patch.object(type(self.env["ir.actions.report"]), "_render_qweb_pdf") as render:
            self._deliver(batch)
        render.assert_not_called()
        self.assertEqual(batch.line_ids.attachment_id, stored)
        (message,) = self._messages_to("ada@acme.example")
        self.assertIn(invoice.name, self._pdf_of(message))

    def test_pdf_printed_once_and_kept_on_the_line(self):
        quotation = self._sale_order(self.acme)
        first = self._prepare([self.types["quotation"]], self.acme)
        self._deliver(first)
        printed = first.line_ids.attachment_id
        self.assertEqual(printed.res_model, "reminder.dispatch.line")
        again = self._prepare([self.types["quotation"]], self.acme, include_dispatched=True)
        self.assertEqual(again.line_ids.res_id, quotation.id)
        with patch.object(type(self.env["ir.actions.report"]), "_render_qweb_pdf") as render:
            self._deliver(again)
        render.assert_not_called()
        self.assertEqual(again.line_ids.attachment_id, printed, "never printed twice")
        self.assertEqual(len(self._messages_to("bea@acme.example")), 2)

    def test_pec_type_goes_to_the_pec_address_through_the_pec_server_only(self):
        self.types["invoice"].requires_pec = True
        self.acme.pec_email = "acme@pec.example"
        nopec = self._create_company_partner("Nopec", [("Ivo Conti", "Accounting", {})])
        pec_invoice = self._invoice(self.acme, 30)
        self._invoice(nopec, 30)
        batch = self._prepare([self.types["invoice"]], self.acme | nopec)
        self._deliver(batch)

        (message,) = self.pec_smtp.messages
        self.assertEqual(message.addresses("To"), ["acme@pec.example"])
        self.assertIn(pec_invoice.name, message.subject)
        self.assertFalse(self.smtp.messages, "nothing through the ordinary server")
        error = batch.line_ids.filtered(lambda line: line.partner_id == nopec)
        self.assertEqual(error.state, "error")
        self.assertIn("No PEC address for Nopec", error.error_message)
        self.assertEqual(batch.error_line_ids, error)

    def test_review_removes_a_line_which_is_not_sent(self):
        kept = self._invoice(self.acme, 30)
        removed = self._invoice(self.acme, 20)
        batch = self._prepare([self.types["invoice"]], self.acme)
        self.assertEqual(len(batch.line_ids), 2)
        batch.write({"line_ids": [Command.unlink(self._line_of(batch, removed).id)]})
        self._deliver(batch)
        (message,) = self._messages_to("ada@acme.example")
        self.assertIn(kept.name, message.subject)
        with self.assertRaises(UserError):
            batch.line_ids.unlink()

    def test_errors_are_listed_while_the_others_go_out(self):
        nobody = self.env["res.partner"].create({"name": "Nomail", "is_company": True})
        broken = self._create_company_partner("Broken", [("Bo Conti", "Accounting", {})])
        good = self._invoice(self.acme, 30)
        self._invoice(nobody, 30)
        quotation = self._sale_order(broken)
        self._sale_order(self.acme)
        # a report that cannot print: its template does not exist
        self.types["quotation"].report_id = self.env["ir.actions.report"].create(
            {"name": "Broken", "model": "sale.order", "report_name": "reminder_automation.no_such_report"}
        )
        batch = self._prepare([self.types["invoice"], self.types["quotation"]], self.acme | nobody | broken)
        self.assertIn(
            "No valid e-mail address",
            batch.line_ids.filtered(lambda line: line.partner_id == nobody).error_message,
        )
        self._deliver(batch)

        self.assertEqual(batch.state, "done")
        errors = batch.error_line_ids
        self.assertEqual(len(errors), 3, errors.mapped("error_message"))
        self.assertEqual(batch.error_count, 3)
        self.assertIn(
            "PDF could not be printed",
            self._line_of(batch, quotation).error_message,
        )
        (message,) = self._messages_to("ada@acme.example")
        self.assertIn(good.name, message.subject)

        # Reminders to handle lists the errors; fixed, a line is sent again
        Todo = self.env["reminder.todo"]
        Todo._refresh_rows()
        rows = Todo.search([("source", "=", "dispatch")])
        self.assertEqual(rows.mapped("record_ref"), list(errors))
        self.assertEqual(rows.currency_id, self.env.company.currency_id, "totals in one currency")
        self.assertIn(
            "No valid e-mail address", rows.filtered(lambda row: row.partner_id == nobody).route_error
        )
        nobody.email = "office@nomail.example"
        failed = self._line_of(batch, self.env["account.move"].search([("partner_id", "=", nobody.id)]))
        failed.with_context(force_report_rendering=True).action_retry()
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(len(self._messages_to("office@nomail.example")), 1)
        self.assertEqual(batch.error_count, 2)
        self.assertEqual(Todo._todo_count_dispatch(), 2)

    def test_a_failed_line_gives_way_to_the_next_batch_of_its_document(self):
        nobody = self.env["res.partner"].create({"name": "Nomail", "is_company": True})
        self._invoice(nobody, 30)
        failed = self._prepare([self.types["invoice"]], nobody)
        self.assertEqual(failed.line_ids.state, "error")
        nobody.email = "office@nomail.example"
        again = self._prepare([self.types["invoice"]], nobody)
        self.assertEqual(again.line_ids.state, "draft", "a failed document is prepared again")
        self.assertEqual(failed.line_ids.state, "cancelled")

    def test_batch_to_review_is_in_reminders_to_handle(self):
        self._invoice(self.acme, 30)
        batch = self._prepare([self.types["invoice"]], self.acme)
        Todo = self.env["reminder.todo"]
        Todo._refresh_rows()
        row = Todo.search([("source", "=", "dispatch")])
        self.assertEqual(row.record_ref, batch)
        self.assertIn("1 document(s) to review", row.name)
        self._deliver(batch)
        self.assertEqual(Todo._todo_count_dispatch(), 0)

    def test_generic_document_lines_send_their_files_with_the_batch_text(self):
        generic = self.env.ref("reminder_automation.document_type_generic")
        batch = self.Batch.create(
            {
                "company_id": self.company.id,
                "document_type_ids": [Command.set(generic.ids)],
                "subject": "Price list 2027",
                "body_html": "<p>Our new prices.</p>",
            }
        )
        files = self.env["ir.attachment"].create(
            [
                {"name": "prices.pdf", "raw": b"%PDF-1.4 prices", "mimetype": "application/pdf"},
                {"name": "terms.txt", "raw": b"terms", "mimetype": "text/plain"},
            ]
        )
        lines = batch._insert_lines(
            [{"type": generic.id, "model": None, "res_id": None, "partner": self.acme.id, "name": "Prices"}]
        )
        lines.attachment_ids = files
        lines._reminder_resolve_recipients()
        batch._write_state("prepared")
        self._deliver(batch)
        (message,) = self._messages_to("office@acme.example")
        self.assertEqual(message.subject, "Price list 2027")
        self.assertIn("Our new prices.", message.html())
        self.assertEqual(
            sorted(name for name, _ctype, _content in message.attachments()), ["prices.pdf", "terms.txt"]
        )
        self.assertEqual(lines.state, "sent")

    def test_a_document_is_dispatched_once_per_type_unless_sent_again(self):
        invoice = self._invoice(self.acme, 30)
        first = self._prepare([self.types["invoice"]], self.acme)
        self.assertEqual(first.line_ids.res_id, invoice.id)
        waiting = self._prepare([self.types["invoice"]], self.acme)
        self.assertFalse(waiting.line_ids, "the invoice waits in the first batch")
        self._deliver(first)
        self.assertFalse(self._prepare([self.types["invoice"]], self.acme).line_ids, "already sent")
        again = self._prepare([self.types["invoice"]], self.acme, include_dispatched=True)
        self.assertEqual(again.line_ids.res_id, invoice.id, "sent again on purpose")

    def test_date_range_selects_documents_by_their_type_date(self):
        recent = self._invoice(self.acme, 30)
        self._invoice(self.acme, -200)  # dated 200 days earlier
        batch = self._prepare(
            [self.types["invoice"]], self.acme, date_from=recent.invoice_date, date_to=recent.invoice_date
        )
        self.assertEqual(batch.line_ids.res_id, recent.id)

    def test_killed_batch_resumes_without_sending_twice(self):
        customers = self.acme | self._create_company_partner(
            "Beta", [("Bob Conti", "Accounting", self._subscribe(self.types["invoice"]))]
        )
        moves = self._invoice(self.acme, 30) | self._invoice(self.acme, 20) | self._invoice(customers[1], 30)
        batch = self._prepare([self.types["invoice"]], customers)
        self.env["ir.config_parameter"].set_param("mail.batch_size", 1)
        original = ReminderDispatchLine._dispatch_send
        calls = []

        def crash_on_second_batch(lines):
            calls.append(lines.id)
            if len(calls) == 2:
                raise MemoryError("worker killed")
            return original(lines)

        # no assertRaises: it would roll back the first batch, which a cron commits
        with patch.object(ReminderDispatchLine, "_dispatch_send", crash_on_second_batch):
            try:
                batch.with_context(force_report_rendering=True).action_send()
            except MemoryError:
                pass
            else:
                self.fail("the worker should have been killed")
        self.assertEqual(batch.state, "sending")
        self.assertEqual(batch.line_ids.mapped("send_state").count("queued"), 1)
        self.env["reminder.dispatch.batch"].with_context(force_report_rendering=True)._cron_dispatch()
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(batch.state, "done")
        self.assertEqual(set(batch.line_ids.mapped("send_state")), {"queued"})
        self.assertEqual(len(self.smtp.messages), 3, "each invoice once")
        self.assertEqual(
            sorted(name for m in self.smtp.messages for name in moves.mapped("name") if name in m.subject),
            sorted(moves.mapped("name")),
        )

    def test_scheduled_batch_sends_yesterdays_documents(self):
        self.types["invoice"].dispatch_daily = True
        invoice = self._invoice(self.acme, 30)
        invoice.button_draft()
        invoice.invoice_date = self.today - timedelta(days=1)
        invoice.action_post()
        self.Batch._cron_dispatch()
        batch = self.Batch.search([("auto_send", "=", True), ("company_id", "=", self.company.id)])
        self.assertEqual(batch.state, "done")
        self.assertIn(invoice.id, batch.line_ids.mapped("res_id"))
        self.Batch._cron_dispatch()
        self.assertEqual(
            len(self.Batch.search([("auto_send", "=", True), ("company_id", "=", self.company.id)])), 1
        )


@tagged("post_install", "-at_install")
class TestDispatchRights(DispatchCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        stock_group = cls.env.ref("stock.group_stock_user")
        cls.types["delivery_slip"].dispatch_group_ids = stock_group
        cls.types["invoice"].dispatch_group_ids = cls.env.ref("account.group_account_invoice")
        cls.logistics = new_test_user(
            cls.env,
            "logistics",
            groups="base.group_user,stock.group_stock_user,reminder_automation.group_reminder_user",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )

    def test_user_allowed_for_delivery_slips_only(self):
        order = self._sale_order(self.acme, confirm=True)
        delivery = self._done(order.picking_ids)
        self._invoice(self.acme, 30)
        batch = self._prepare([self.types["invoice"], self.types["delivery_slip"]], self.acme)
        self.assertEqual(len(batch.line_ids), 2)

        as_logistics = batch.with_user(self.logistics)
        Line = self.env["reminder.dispatch.line"].with_user(self.logistics)
        self.assertEqual(
            Line.search([("batch_id", "=", batch.id)]).mapped("res_id"),
            [delivery.id],
            "the invoice's line is not visible",
        )
        self.assertEqual(
            self.env["reminder.dispatch.line"].with_user(self.logistics).search([]).document_type_id,
            self.types["delivery_slip"],
        )
        with self.assertRaises(AccessError):
            as_logistics.action_send()
        with self.assertRaises(AccessError):
            self.Batch.with_user(self.logistics).create(
                {"document_type_ids": [Command.set(self.types["invoice"].ids)]}
            ).action_prepare()

        own = self.Batch.with_user(self.logistics).create(
            {"document_type_ids": [Command.set(self.types["delivery_slip"].ids)], "include_dispatched": True}
        )
        own.action_prepare()
        self.assertEqual(own.line_ids.res_id, delivery.id)
        own.with_context(force_report_rendering=True).action_send()
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(own.sudo().line_ids.state, "sent")
        self.assertTrue(self._messages_to("leo@acme.example"))


@tagged("post_install", "-at_install")
class TestDispatchTour(DispatchCommon, HttpCase):
    def test_reminder_dispatch_tour(self):
        dispatcher = new_test_user(
            self.env,
            "dispatcher",
            password="dispatcher",
            groups="base.group_user,account.group_account_invoice,reminder_automation.group_reminder_user",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        removed = self._create_company_partner("Removed", [])
        nomail = self.env["res.partner"].create({"name": "Nomail", "is_company": True})
        invoices = self._invoice(self.acme, 30) | self._invoice(removed, 30) | self._invoice(nomail, 30)
        # stored PDFs, as Odoo keeps them once an invoice was sent: the tour's
        # request prints no report (tests render HTML instead of PDF)
        Send = self.env["account.move.send"].with_context(force_report_rendering=True)
        for move in invoices:
            Send._generate_invoice_documents({move: Send._get_default_sending_settings(move)})
        self.start_tour(
            "/odoo/action-reminder_automation.reminder_dispatch_batch_action",
            "reminder_dispatch_tour",
            login="dispatcher",
        )
        batch = self.Batch.search([("user_id", "=", dispatcher.id)])
        self.assertEqual(batch.state, "done")
        self.assertEqual(batch.line_ids.partner_id, self.acme | nomail, "the removed line is gone")
        self.assertEqual(batch.error_line_ids.partner_id, nomail)
        self.env["mail.mail"].process_email_queue()
        (message,) = self._messages_to("ada@acme.example")
        self.assertIn(invoices[0].name, message.subject)
        self.assertFalse(self._messages_to("office@removed.example"))

    # the JSON-RPC probes of the security tests (imported as a module: its
    # test class is not to run again here)
    _rpc = test_security.TestSecurity._rpc
    _open = test_security.TestSecurity._open

    def test_every_group_opens_the_dispatch_screens(self):
        """As the web client does, through JSON-RPC: each group of the module
        opens the batches, their lines and the partner's smart button."""
        self._invoice(self.acme, 30)
        batch = self._prepare([self.types["invoice"]], self.acme)
        line = batch.line_ids
        for login, groups in (
            ("disp_user", "reminder_automation.group_reminder_user"),
            ("disp_handler", "reminder_automation.group_reminder_dunning"),
            ("disp_manager", "reminder_automation.group_reminder_manager"),
        ):
            user = new_test_user(
                self.env,
                login,
                password=f"{login}-pw",
                groups=f"base.group_user,{groups}",
                company_id=self.company.id,
                company_ids=[self.company.id],
            )
            values = self._open(user, "reminder_automation.reminder_dispatch_batch_action", batch)
            self.assertEqual(values["line_count"], 1, login)
            values = self._open(user, "reminder_automation.reminder_dispatch_line_action", line)
            self.assertIn("ada@acme.example", values["email_to"], login)
            values = self._open(user, "reminder_automation.res_partner_action_routing", self.acme)
            self.assertEqual(values["reminder_dispatch_line_count"], 1, login)
        self._open(user, "reminder_automation.reminder_document_type_action", self.types["invoice"])
