from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestSmsIsolation(DunningCommon):
    def test_one_customers_failing_sms_template_is_that_customers_error(self):
        """The template fails for Rossi only (no reference): Rossi's
        communication gets the error, Bihor's SMS leaves, the run is done."""
        template = self.env.ref("reminder_automation.sms_template_dunning").copy(
            {"body": "{{ object.partner_id.ref.upper() }}: {{ object.total_due_text }} overdue"}
        )
        self.firm.write({"channel_email": False, "channel_sms": True, "sms_template_id": template.id})
        self.bihor.ref = "b1"
        for customer in (self.bihor, self.rossi):
            customer.child_ids[:1].write({"mobile": "+40722123456"})
            self._invoice(customer, -10)
        run = self._run()
        bihor = run.communication_ids.filtered(lambda c: c.partner_id == self.bihor)
        rossi = run.communication_ids - bihor
        self.assertEqual(run.state, "done")
        self.assertEqual(bihor.send_state, "queued")
        self.assertTrue(bihor.sms_ids.body.startswith("B1: "))
        self.assertEqual(rossi.send_state, "error")
        self.assertFalse(rossi.sms_ids)
        self.assertIn("SMS template failed", rossi.error_message)
        self.assertIn("upper", rossi.error_message)
