from unittest.mock import patch

from odoo.tests import tagged

from .common import DunningCommon


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
        self.assertIn("Pay now", body)

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
