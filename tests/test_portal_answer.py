import re
from datetime import timedelta

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestPortalAnswer(DunningCommon, HttpCase):
    """The page the signed link of a reminder opens: the customer promises
    a payment date or disputes the invoice; dunning waits and the
    salesperson gets a to-do."""

    def _open_page(self, invoice):
        """The page of ``invoice``'s signed link and the CSRF token of its
        forms (None when it shows none)."""
        url = f"/reminder/invoice/{invoice.id}/{invoice._reminder_pay_signature()}"
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn(invoice.name, page.text)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        return url, token and token.group(1)

    def _post(self, url, **data):
        with mute_logger("odoo.http"):
            response = self.url_open(url, data=data)
        self.env.invalidate_all()
        return response

    def test_promise_pauses_dunning_until_the_date_and_tells_the_salesperson(self):
        invoice = self._invoice(self.bihor, -10)
        url, token = self._open_page(invoice)
        promised = self.today + timedelta(days=10)
        response = self._post(f"{url}/promise", csrf_token=token, promise_date=promised.isoformat())

        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you", response.text)
        self.assertEqual(invoice.reminder_promise_date, promised)
        activity = invoice.activity_ids
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertIn("Promise to pay", activity.summary)
        message = invoice.message_ids.filtered(lambda m: m.author_id == self.bihor)
        self.assertIn("Promise to pay", message.body)
        self.assertFalse(self._run().communication_ids, "the next run skips the invoice")
        later = self._run(days_from_today=11)
        self.assertEqual(later.communication_ids.line_ids.move_id, invoice, "reminded once the date passed")

    def test_dispute_pauses_dunning_with_the_customer_comment(self):
        invoice = self._invoice(self.rossi, -10)
        url, token = self._open_page(invoice)
        response = self._post(f"{url}/dispute", csrf_token=token, comment="Goods <b>never</b> delivered")

        self.assertEqual(response.status_code, 200)
        self.assertTrue(invoice.reminder_dispute)
        activity = invoice.activity_ids
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertIn("Dispute of", activity.summary)
        self.assertIn("Goods &lt;b&gt;never&lt;/b&gt; delivered", activity.note)
        message = invoice.message_ids.filtered(lambda m: m.author_id == self.rossi)
        self.assertIn("Goods &lt;b&gt;never&lt;/b&gt; delivered", message.body)
        self.assertFalse(self._run(days_from_today=60).communication_ids, "no reminder while disputed")

    def test_bad_input_is_refused_on_the_page(self):
        invoice = self._invoice(self.bihor, -10)
        url, token = self._open_page(invoice)
        for date in (self.today.isoformat(), "2020-13-45", ""):
            response = self._post(f"{url}/promise", csrf_token=token, promise_date=date)
            self.assertEqual(response.status_code, 400, date)
            self.assertIn("alert-danger", response.text)
        response = self._post(f"{url}/dispute", csrf_token=token, comment="   ")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Comment", response.text)
        self.assertFalse(invoice.reminder_promise_date or invoice.reminder_dispute or invoice.activity_ids)
        response = self._post(f"{url}/dispute", comment="no token")
        self.assertEqual(response.status_code, 400, "forms are CSRF protected")
        self.assertFalse(invoice.reminder_dispute)

    def test_forged_or_other_customer_links_are_not_found(self):
        invoice = self._invoice(self.bihor, -10)
        other = self._invoice(self.rossi, -10)
        _url, token = self._open_page(other)
        forged = f"/reminder/invoice/{invoice.id}/{other._reminder_pay_signature()}"
        with mute_logger("odoo.http"):
            self.assertEqual(self.url_open(forged).status_code, 404)
        for action, data in (("promise", {"promise_date": "2099-01-01"}), ("dispute", {"comment": "x"})):
            response = self._post(f"{forged}/{action}", csrf_token=token, **data)
            self.assertEqual(response.status_code, 404)
        self.assertFalse(invoice.reminder_dispute or invoice.reminder_promise_date or invoice.activity_ids)

    def test_paid_invoice_offers_nothing_to_do(self):
        invoice = self._invoice(self.bihor, -10)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        _url, token = self._open_page(self._invoice(self.bihor, -10))
        url, no_form = self._open_page(invoice)
        self.assertIsNone(no_form)
        page = self.url_open(url)
        self.assertIn("not awaiting payment", page.text)
        self.assertNotIn("/promise", page.text)
        response = self._post(f"{url}/dispute", csrf_token=token, comment="late complaint")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(invoice.reminder_dispute)
