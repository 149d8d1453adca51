from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ReminderCommon


@tagged("post_install", "-at_install")
class TestPhone(ReminderCommon):
    def test_normalised_with_own_country(self):
        partner = self.Partner.create(
            {
                "name": "Ioana",
                "country_id": self.country_ro.id,
                "phone": "0259 412 345",
                "mobile": "0722 123 456",
            }
        )
        self.assertEqual(partner.phone, "+40259412345")
        self.assertEqual(partner.mobile, "+40722123456")
        partner.mobile = "0744 987 654"
        self.assertEqual(partner.mobile, "+40744987654")

    def test_contact_uses_parent_country(self):
        company = self.Partner.create({"name": "Rossi", "is_company": True, "country_id": self.country_it.id})
        contact = self.Partner.create({"name": "Giulia", "parent_id": company.id, "mobile": "347 123 4567"})
        self.assertEqual(contact.mobile, "+393471234567")

    def test_company_country_when_none(self):
        self.env.company.country_id = self.country_it
        partner = self.Partner.create({"name": "Nobody", "mobile": "347 123 4567"})
        self.assertEqual(partner.mobile, "+393471234567")

    def test_international_number_kept(self):
        partner = self.Partner.create(
            {"name": "Anna", "country_id": self.country_ro.id, "mobile": "+48 601 234 567"}
        )
        self.assertEqual(partner.mobile, "+48601234567")

    def test_write_groups_by_country(self):
        ro = self.Partner.create({"name": "RO", "country_id": self.country_ro.id})
        it = self.Partner.create({"name": "IT", "country_id": self.country_it.id})
        (ro | it).write({"phone": "+40 259 412 345"})
        self.assertEqual((ro | it).mapped("phone"), ["+40259412345"] * 2)

    def test_invalid_number_names_the_field(self):
        with self.assertRaisesRegex(ValidationError, "Mobile.*12.*Ioana"):
            self.Partner.create({"name": "Ioana", "country_id": self.country_ro.id, "mobile": "12"})
        partner = self.Partner.create({"name": "Mihai", "country_id": self.country_ro.id})
        with self.assertRaisesRegex(ValidationError, "Phone.*abc"):
            partner.phone = "abc"
        self.assertFalse(partner.phone)

    def test_invalid_pec_email(self):
        with self.assertRaisesRegex(ValidationError, "PEC"):
            self.Partner.create({"name": "Rossi", "pec_email": "not-an-address"})
