from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import DunningCommon, ReminderCommon


@tagged("post_install", "-at_install")
class TestPhone(ReminderCommon):
    def test_numbers_kept_as_typed(self):
        """Saving a partner never rewrites nor refuses a number: core, the
        portal and the other apps accept any text in these fields."""
        typed = ["123456", "+1 555 666 7788", "+320455999999", "0722 123 456", "abc"]
        partner = self.Partner.create({"name": "Ioana", "country_id": self.country_ro.id, "phone": typed[0]})
        for number in typed:
            partner.write({"phone": number, "mobile": number})
            self.assertEqual((partner.phone, partner.mobile), (number, number))

    def test_sms_number_e164_with_own_country(self):
        partner = self.Partner.create(
            {
                "name": "Ioana",
                "country_id": self.country_ro.id,
                "phone": "0259 412 345",
                "mobile": "0722 123 456",
            }
        )
        self.assertEqual(partner._reminder_sms_number(), "+40722123456", "the mobile first, as core SMS")
        partner.mobile = False
        self.assertEqual(partner._reminder_sms_number(), "+40259412345")
        partner.phone = "+48 601 234 567"
        self.assertEqual(partner._reminder_sms_number(), "+48601234567", "an international number")

    def test_sms_number_with_company_country(self):
        self.env.company.country_id = self.country_it
        partner = self.Partner.create({"name": "Nobody", "mobile": "347 123 4567"})
        self.assertEqual(partner._reminder_sms_number(), "+393471234567")

    def test_sms_number_invalid_mobile_falls_back_to_phone(self):
        partner = self.Partner.create(
            {"name": "Mihai", "country_id": self.country_ro.id, "mobile": "12", "phone": "0259 412 345"}
        )
        self.assertEqual(partner._reminder_sms_number(), "+40259412345")
        partner.phone = "abc"
        self.assertFalse(partner._reminder_sms_number())

    def test_sms_routing_error_per_partner(self):
        """A contact whose number cannot be used is dropped from SMS routing;
        the error of its customer names the contact, the field and the number,
        and the other customers are routed."""
        bihor = self.Partner.create({"name": "Bihor", "is_company": True, "country_id": self.country_ro.id})
        rossi = self.Partner.create({"name": "Rossi", "is_company": True, "country_id": self.country_it.id})
        self.Partner.create(
            [
                {"name": "Ioana", "function": "Contabil", "parent_id": bihor.id, "mobile": "0722 123 456"},
                {"name": "Giulia", "function": "Contabile", "parent_id": rossi.id, "mobile": "12"},
                {"name": "Luca", "function": "Contabile", "parent_id": rossi.id},
            ]
        )
        routes = (bihor | rossi)._reminder_route(None, "Conta", channel="sms")
        self.assertFalse(routes[bihor.id].error)
        self.assertEqual(routes[bihor.id].to.mapped("name"), ["Ioana"])
        self.assertFalse(routes[rossi.id].to)
        self.assertRegex(routes[rossi.id].error, r"Mobile 12 of Rossi, Giulia is not a valid phone number")
        self.assertRegex(routes[rossi.id].error, r"No mobile or phone number on Rossi, Luca")

    def test_invalid_pec_email(self):
        with self.assertRaisesRegex(ValidationError, "PEC"):
            self.Partner.create({"name": "Rossi", "pec_email": "not-an-address"})


@tagged("post_install", "-at_install")
class TestPhoneSms(DunningCommon):
    def test_sms_sent_to_e164_number(self):
        """The number typed on the contact stays as typed; the SMS goes to its
        E.164 form, and a customer whose contact's number is unusable gets
        its own error while the others are sent."""
        self.firm.write(
            {
                "channel_sms": True,
                "sms_template_id": self.env.ref("reminder_automation.sms_template_dunning").id,
            }
        )
        ioana = self.bihor.child_ids.filtered(lambda c: c.function == "Contabilitate")
        ioana.write({"country_id": self.env.ref("base.ro").id, "mobile": "0722 123 456"})
        self.rossi.child_ids.filtered(lambda c: c.function == "Contabilità").mobile = "12"
        self._invoice(self.bihor, -10)
        self._invoice(self.rossi, -10)
        comms = self._run().communication_ids
        bihor = comms.filtered(lambda c: c.partner_id == self.bihor)
        rossi = comms.filtered(lambda c: c.partner_id == self.rossi)
        self.assertEqual(bihor.sms_ids.mapped("number"), ["+40722123456"])
        self.assertEqual(ioana.mobile, "0722 123 456")
        self.assertFalse(rossi.sms_ids)
        self.assertEqual(rossi.send_state, "error")
        self.assertIn("Mobile 12 of Rossi, Giulia Bianchi", rossi.error_message)
