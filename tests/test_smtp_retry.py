from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.mail_mail import SMTP_RETRY_DELAYS
from .test_delivery import DeliveryCommon

ANNA = "anna@verdi.example"
STAFF = ["finance@company.example", "seller@company.example"]


@tagged("post_install", "-at_install")
class TestSmtpRetry(DeliveryCommon):
    """The loopback server refuses Verdi's accountant: for now (4xx) or for
    good (5xx). Verdi's reminder goes as two copies: the staff's (sent
    first) and Anna's."""

    def setUp(self):
        super().setUp()
        self._invoice(self.verdi, -10)
        self.run_ = self._run(send=False)
        self.comm = self.run_.communication_ids
        self.Mail = self.env["mail.mail"]

    def _mail(self):
        return self.Mail.search([("mail_message_id", "=", self.comm.mail_message_id.id)])

    def _rcpt_tos(self):
        """Who received Verdi's reminder (not the execution report)."""
        return sorted(address for message in self._received(self.verdi) for address in message.rcpt_tos)

    @mute_logger("odoo.addons.mail.models.mail_mail")  # logs each refusal as an error
    def _deliver(self, run):
        super()._deliver(run)

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def _process_queue(self):
        self.Mail.process_email_queue()

    def _retry_now(self):
        """Let the back-off pass and run the mail queue."""
        self._mail().scheduled_date = fields.Datetime.now() - timedelta(seconds=1)
        self._process_queue()

    def test_temporary_refusal_retried_later_then_delivered_once(self):
        self.smtp.refuse(ANNA, "451 4.3.0 Mailbox busy, try again later", times=1)
        self._deliver(self.run_)
        mail = self._mail()
        self.assertEqual(mail.state, "outgoing", "queued again")
        self.assertEqual(mail.reminder_retry_count, 1)
        self.assertGreater(mail.scheduled_date, fields.Datetime.now() + timedelta(minutes=4))
        self.assertEqual(self.comm.state, "queued")
        self.assertIn("retry 1 of %d" % len(SMTP_RETRY_DELAYS), self.comm.error_message)
        self.assertIn("451 4.3.0 Mailbox busy, try again later", self.comm.error_message)
        self.assertEqual(
            (self.run_.queued_count, self.run_.delivered_count, self.run_.error_count), (1, 0, 0)
        )
        self.assertIn("1 in the mail queue", self.run_.report_html)
        self.assertEqual(self._rcpt_tos(), STAFF, "the staff's copy left")

        self._process_queue()
        self.assertEqual(self._rcpt_tos(), STAFF, "not before the back-off delay")

        self._retry_now()
        self.assertEqual(mail.state, "sent")
        self.assertEqual(self._rcpt_tos(), sorted([ANNA, *STAFF]), "Anna's copy once, the staff's not again")
        self.assertEqual(self.comm.state, "sent")
        self.assertFalse(self.comm.error_message)
        self.assertEqual(sorted(self.comm.tracking_email_ids.mapped("state")), ["deferred", "sent", "sent"])
        self.assertEqual(
            (self.run_.queued_count, self.run_.delivered_count, self.run_.error_count), (0, 1, 0)
        )

    def test_final_refusal_is_the_communications_error(self):
        self.smtp.refuse(ANNA, "550 5.1.1 No such user here")
        self._deliver(self.run_)
        mail = self._mail()
        self.assertEqual(mail.state, "exception")
        self.assertEqual(mail.reminder_retry_count, 0, "never retried")
        self.assertEqual((self.comm.send_state, self.comm.state), ("error", "error"))
        self.assertIn(f"{ANNA}: 550 5.1.1 No such user here", self.comm.error_message)
        self.assertEqual((self.run_.sent_count, self.run_.error_count), (0, 1))

        self._retry_now()
        self.assertEqual(mail.state, "exception")
        self.assertEqual(self._rcpt_tos(), STAFF, "nothing sent again")

        # the address fixed, the handler retries the communication
        self.smtp.clear()
        self.comm.action_retry()
        self.Mail.process_email_queue()
        self.assertEqual(self.comm.state, "sent")
        self.assertEqual(self._rcpt_tos(), sorted([ANNA, *STAFF]))

    def test_temporary_refusals_end_in_error_after_the_last_retry(self):
        self.smtp.refuse(ANNA, "452 4.2.2 Mailbox full")
        self._deliver(self.run_)
        for _retry in SMTP_RETRY_DELAYS:
            self.assertEqual(self.comm.state, "queued")
            self._retry_now()
        mail = self._mail()
        self.assertEqual(mail.state, "exception")
        self.assertEqual(mail.reminder_retry_count, len(SMTP_RETRY_DELAYS))
        self.assertEqual(self.comm.send_state, "error")
        self.assertIn(f"{len(SMTP_RETRY_DELAYS) + 1} tries", self.comm.error_message)
        self.assertIn("452 4.2.2 Mailbox full", self.comm.error_message)
        self.assertEqual(self._rcpt_tos(), STAFF, "the staff's copy left once")
        self.assertEqual(self.run_.error_count, 1)
