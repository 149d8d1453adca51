from unittest.mock import patch

from odoo.tests import tagged

from .common import DunningCommon, pdf_text

# a 1x1 PNG, standing for the QR code of a bank's QR method (none is
# installed with this module's dependencies)
QR_PNG = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestDunningMailLayout(DunningCommon):
    """The e-mails go out in Odoo's mail layout (company logo, name and
    contact details, font), as Odoo's own invoice e-mails, the total once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"phone": "+40 259 000 111", "website": "https://company.example"})

    def test_mail_in_company_layout_with_one_total(self):
        invoices = self._invoice(self.bihor, -10, 100) | self._invoice(self.bihor, -20, 250)
        run = self._run()
        comm = run.communication_ids
        mail = self._customer_mails()
        body = str(mail.body_html)
        self.assertTrue(body.lstrip().startswith("<html"), "the whole layout, not a bare body")
        self.assertIn("font-family:Verdana", body)
        self.assertIn(f"<b>{self.company.name}</b>", body, "company name in the footer")
        self.assertIn("+40 259 000 111", body)
        self.assertIn("mailto:billing@company.example", body)
        self.assertIn("https://company.example", body)
        self.assertIn(mail.subject, body, "the subject as the layout's title")
        # the template's body inside the layout
        self.assertIn("the following invoices are overdue", body)
        for invoice in invoices:
            self.assertEqual(body.count(invoice.name), 1)
        self.assertIn("350.00", comm.total_due_text)
        self.assertEqual(body.count(comm.total_due_text), 1, "the total printed once")
        self.assertIn("Pay or reply", body)

    def test_layout_rendered_once_per_company_and_language(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.rossi.lang = "it_IT"
        verdi = self._create_customer("Verdi", [("Anna Verdi", "Contabilità")])
        for customer in (self.bihor, self.rossi, verdi):
            self._invoice(customer, -10)
        Render = type(self.env["mail.render.mixin"])
        with patch.object(
            Render, "_render_encapsulate", autospec=True, side_effect=Render._render_encapsulate
        ) as render:
            self._run()
        layouts = [call for call in render.call_args_list if "reminder-layout-body" in str(call.args[2])]
        self.assertEqual(len(layouts), 2, "English and Italian, whatever the number of mails")
        mails = {mail.res_id: str(mail.body_html) for mail in self._customer_mails()}
        self.assertEqual(len(mails), 3)
        self.assertIn('lang="it_IT"', mails[self.rossi.id])
        self.assertIn('lang="en_US"', mails[verdi.id])
        for customer in (self.bihor, self.rossi, verdi):
            self.assertIn(customer.name, mails[customer.id])
            self.assertNotIn("reminder-layout-body", mails[customer.id])
            self.assertNotIn("ReminderLayoutTitle", mails[customer.id])


@tagged("post_install", "-at_install")
class TestDunningLetter(DunningCommon):
    """The printed letter of a level says what its e-mail says, and how to
    pay: payment references, bank account, QR codes; no "Pay or reply" link."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.final.channel_letter = True
        cls.bank = cls.env["res.partner.bank"].create(
            {"acc_number": "RO49AAAA1B31007593840000", "partner_id": cls.company.partner_id.id}
        )

    def _final_letter(self):
        """A final-level communication of Bihor, its letter rendered by wkhtmltopdf."""
        invoice = self._invoice(self.bihor, -60, 1234.5)
        invoice.write({"payment_reference": "RF18539007547034", "partner_bank_id": self.bank.id})
        self._run()  # firm level
        run = self._run(30)
        comm = run.communication_ids
        self.assertEqual(comm.level_id, self.final)
        return invoice, comm

    def test_letter_says_what_the_mail_of_its_level_says(self):
        invoice, comm = self._final_letter()
        mail = self._customer_mails()
        self.assertIn("within 8 days", str(mail.body_html))
        pdf = comm.letter_attachment_id.raw
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = " ".join(pdf_text(pdf).split())
        self.assertIn("Unless we receive your payment within 8 days", text)
        self.assertIn("Despite our previous reminders", text)
        self.assertNotIn("earliest convenience", text)
        self.assertIn(invoice.name, text)
        self.assertIn("RF18539007547034", text, "the payment reference")
        self.assertIn("RO49AAAA1B31007593840000", text, "the bank account")
        self.assertIn("1,234.50", text)
        self.assertEqual(text.count("Total due"), 1, "the total printed once")
        self.assertNotIn("Pay or reply", text, "no link on paper")
        self.assertIn(self.bihor.name, text)

    def test_letter_prints_the_payment_qr_code_where_the_company_has_one(self):
        invoice, comm = self._final_letter()
        report = self.env.ref("reminder_automation.action_report_dunning_letter")
        Move = type(invoice)
        with patch.object(Move, "_generate_qr_code", autospec=True, return_value=QR_PNG) as qr_code:
            self.company.qr_code = False
            html = report._render_qweb_html(report.report_name, comm.ids)[0].decode()
            self.assertNotIn(QR_PNG, html)
            self.assertFalse(qr_code.called, "no QR code asked for when the company prints none")
            self.company.qr_code = True
            self.env.invalidate_all()  # the invoice's display_qr_code, cached
            html = report._render_qweb_html(report.report_name, comm.ids)[0].decode()
        self.assertIn(f'src="{QR_PNG}"', html)
        qr_code.assert_called_once_with(invoice, silent_errors=True)
        self.assertIn("RF18539007547034", html)
        self.assertNotIn("/reminder/invoice/", html, "no pay-now link on paper")

    def test_level_without_mail_template_has_a_letter_of_its_own(self):
        self.final.write({"channel_email": False, "mail_template_id": False})
        invoice, comm = self._final_letter()
        text = " ".join(pdf_text(comm.letter_attachment_id.raw).split())
        self.assertIn("the following invoices remain unpaid", text)
        self.assertIn("RF18539007547034", text)
        self.assertIn(invoice.name, text)
        self.assertNotIn("Pay or reply", text)
