from odoo.fields import Command
from odoo.tests import TransactionCase


class ReminderCommon(TransactionCase):
    """Customers with contacts whose functions are real job titles."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Partner = cls.env["res.partner"]
        cls.type_invoice = cls.env.ref("reminder_automation.document_type_invoice")
        cls.type_dunning = cls.env.ref("reminder_automation.document_type_dunning_letter")
        cls.type_declaration = cls.env.ref("reminder_automation.document_type_declaration_of_intent")
        cls.country_ro = cls.env.ref("base.ro")
        cls.country_it = cls.env.ref("base.it")

    @classmethod
    def _create_company_partner(cls, name, contacts=(), **values):
        """A customer company and its ``contacts``: (name, function, extra values)."""
        company = cls.Partner.create(
            {"name": name, "is_company": True, "email": f"office@{name.lower()}.example", **values}
        )
        cls.Partner.create(
            [
                {
                    "name": contact_name,
                    "function": function,
                    "parent_id": company.id,
                    "email": f"{contact_name.lower().replace(' ', '.')}@{name.lower()}.example",
                    **extra,
                }
                for contact_name, function, extra in contacts
            ]
        )
        return company

    @staticmethod
    def subscribe(document_type):
        return {"reminder_document_type_ids": [Command.link(document_type.id)]}

    @staticmethod
    def subscribe_cc(document_type):
        return {"reminder_cc_document_type_ids": [Command.link(document_type.id)]}
