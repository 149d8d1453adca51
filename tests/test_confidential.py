from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import ReminderCommon


@tagged("post_install", "-at_install")
class TestConfidential(ReminderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_partner = cls._create_company_partner(
            "Kowalski",
            [
                ("Anna Nowak", "Księgowość", {}),
                ("Tomasz Zieliński", "Prezes", {"reminder_confidential": True}),
            ],
        )
        cls.anna, cls.tomasz = cls.company_partner.child_ids.sorted("id")
        cls.user = new_test_user(
            cls.env, "ordinary", groups="base.group_user,reminder_automation.group_reminder_user"
        )
        cls.insider = new_test_user(
            cls.env, "insider", groups="base.group_user,reminder_automation.group_reminder_confidential"
        )

    def test_ordinary_user_does_not_see_confidential_contacts(self):
        partners = self.Partner.with_user(self.user)
        self.assertEqual(partners.search([("parent_id", "=", self.company_partner.id)]), self.anna)
        self.assertFalse(partners.search([("name", "=", "Tomasz Zieliński")]))
        self.assertEqual(self.company_partner.with_user(self.user).child_ids, self.anna)

    def test_group_member_sees_them(self):
        partners = self.Partner.with_user(self.insider)
        self.assertEqual(
            partners.search([("parent_id", "=", self.company_partner.id)]), self.anna | self.tomasz
        )

    def test_routing_is_the_same_whoever_routes(self):
        """Confidential contacts receive what they are routed, whoever sends;
        the users who may not see them only read that one did."""
        company_partner = self.company_partner.with_user(self.user)
        route = company_partner._reminder_route(None, "Księg, Prezes")[company_partner.id]
        self.assertEqual(route.to.ids, (self.anna | self.tomasz).ids)
        self.assertEqual(
            route.to._reminder_recipient_labels(), [self.anna.email_formatted, "Confidential contact"]
        )

    def test_user_partner_cannot_be_confidential(self):
        with self.assertRaises(ValidationError):
            self.user.partner_id.reminder_confidential = True
