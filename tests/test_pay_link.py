import re

from odoo.tests import HttpCase, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestPayLink(DunningCommon, HttpCase):
    def test_pay_link_opens_the_invoice_portal_page(self):
        invoice = self._invoice(self.bihor, -10)
        run = self._run(send=False)
        self.assertFalse(invoice.access_token, "preparing a run writes no portal token")
        links = re.findall(r'href="([^"]+)"', run.communication_ids.item_table_html)
        self.assertEqual(len(links), 1)
        self.assertTrue(links[0].endswith(invoice._reminder_pay_url()))

        page = self.url_open(invoice._reminder_pay_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn(invoice.name, page.text)
        invoice.invalidate_recordset(["access_token"])
        self.assertFalse(invoice.access_token, "the page of the link writes no portal token")
        response = self.url_open(f"{invoice._reminder_pay_url()}/pay", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        invoice.invalidate_recordset(["access_token"])
        self.assertTrue(invoice.access_token, "created when the customer follows the link")
        self.assertTrue(
            response.headers["Location"].endswith(
                f"/my/invoices/{invoice.id}?access_token={invoice.access_token}"
            )
        )
        page = self.url_open(response.headers["Location"])
        self.assertEqual(page.status_code, 200)
        self.assertIn(invoice.name, page.text)

    def test_pay_link_with_a_wrong_signature_is_refused(self):
        invoice = self._invoice(self.bihor, -10)
        other = self._invoice(self.rossi, -10)
        forged = f"/reminder/invoice/{invoice.id}/{other._reminder_pay_signature()}"
        self.assertEqual(self.url_open(forged, allow_redirects=False).status_code, 404)
        self.assertEqual(self.url_open(f"{forged}/pay", allow_redirects=False).status_code, 404)
        missing = f"/reminder/invoice/{other.id + 1000}/{other._reminder_pay_signature()}"
        self.assertEqual(self.url_open(missing, allow_redirects=False).status_code, 404)
        invoice.invalidate_recordset(["access_token"])
        self.assertFalse(invoice.access_token)
