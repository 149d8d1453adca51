import subprocess
import tempfile
from datetime import timedelta

from odoo import fields
from odoo.fields import Command
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.mail.tests.common import MockEmail


def pdf_text(pdf):
    """The text of a PDF as ``pdftotext -layout`` reads it: what a reader finds in it."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        return subprocess.run(
            ["pdftotext", "-layout", file.name, "-"], capture_output=True, check=True, text=True
        ).stdout


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


class DunningCommon(AccountTestInvoicingCommon, MockEmail):
    """A three-level policy (courtesy 3 days before due, firm 7 days after,
    final 30 days after repeating every 14 days) and customers whose
    contacts have real job titles, with posted invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._init_mail_gateway()
        # wkhtmltopdf would fetch the report's CSS from this very server, whose
        # requests wait for the test transaction: point it at a closed port
        cls.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        cls.env.user.sudo().group_ids = [
            Command.link(cls.env.ref("reminder_automation.group_reminder_manager").id)
        ]
        cls.company = cls.company_data["company"]
        cls.company.email = "billing@company.example"
        cls.Partner = cls.env["res.partner"]
        cls.type_dunning = cls.env.ref("reminder_automation.document_type_dunning_letter")
        cls.handler = new_test_user(
            cls.env,
            "handler",
            email="handler@company.example",
            groups="base.group_user,account.group_account_invoice,reminder_automation.group_reminder_dunning",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.salesperson = new_test_user(
            cls.env,
            "seller",
            email="seller@company.example",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.policy = cls.env["reminder.dunning.policy"].create(
            {
                "name": "Standard",
                "company_id": cls.company.id,
                "function_patterns": "Conta, %Manage",
                "responsible_id": cls.handler.id,
                "schedule": "manual",
                "level_ids": [
                    Command.create(
                        {
                            "name": "Courtesy",
                            "days": -3,
                            "mail_template_id": cls.env.ref(
                                "reminder_automation.mail_template_dunning_courtesy"
                            ).id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Firm",
                            "days": 7,
                            "mail_template_id": cls.env.ref(
                                "reminder_automation.mail_template_dunning_firm"
                            ).id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Final",
                            "days": 30,
                            "repeat_days": 14,
                            "mail_template_id": cls.env.ref(
                                "reminder_automation.mail_template_dunning_final"
                            ).id,
                        }
                    ),
                ],
            }
        )
        cls.courtesy, cls.firm, cls.final = cls.policy._levels()
        cls.company.reminder_dunning_policy_id = cls.policy
        cls.bihor = cls._create_customer(
            "Bihor", [("Ioana Popescu", "Contabilitate"), ("Mihai Ionescu", "Manager")]
        )
        cls.rossi = cls._create_customer(
            "Rossi", [("Giulia Bianchi", "Contabilità"), ("Luca Neri", "Vendite")]
        )
        cls.today = fields.Date.today()

    @classmethod
    def _create_customer(cls, name, contacts):
        company = cls.Partner.create(
            {"name": name, "is_company": True, "email": f"office@{name.lower()}.example"}
        )
        cls.Partner.create(
            [
                {
                    "name": contact,
                    "function": function,
                    "parent_id": company.id,
                    "email": f"{contact.split()[0].lower()}@{name.lower()}.example",
                }
                for contact, function in contacts
            ]
        )
        return company

    @classmethod
    def _create_customers_with_accountant(cls, count):
        return cls.Partner.create(
            [
                {
                    "name": f"Customer {i}",
                    "is_company": True,
                    "email": f"c{i}@customer.example",
                    "child_ids": [
                        Command.create(
                            {
                                "name": f"Accountant {i}",
                                "function": "Contabilitate",
                                "email": f"a{i}@customer.example",
                            }
                        )
                    ],
                }
                for i in range(count)
            ]
        )

    @classmethod
    def _invoice(cls, partner, due_in_days, amount=100.0, currency=None, salesperson=None):
        """A posted customer invoice due ``due_in_days`` from today (negative: overdue)."""
        due = fields.Date.today() + timedelta(days=due_in_days)
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "invoice_date": min(due, fields.Date.today()) - timedelta(days=30),
                "invoice_date_due": due,
                "currency_id": (currency or cls.company.currency_id).id,
                "invoice_user_id": (salesperson or cls.salesperson).id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Service", "quantity": 1, "price_unit": amount, "tax_ids": [Command.clear()]}
                    )
                ],
            }
        )
        move.action_post()
        return move

    def _run(self, days_from_today=0, send=True, policy=None):
        """Prepare (and send) a run as of today + ``days_from_today``."""
        run = self.env["reminder.dunning.run"].create(
            {
                "policy_id": (policy or self.policy).id,
                "date": self.today + timedelta(days=days_from_today),
            }
        )
        run.action_prepare()
        if send:
            self._send(run)
        return run

    def _send(self, run, raise_exception=True):
        """Send a prepared run and deliver its e-mails, as the mail queue would.
        PDFs are really rendered (Odoo renders HTML instead in tests)."""
        with self.mock_mail_gateway():
            run.with_context(force_report_rendering=True).action_send()
            self._new_mails.filtered(lambda mail: mail.state == "outgoing").send()

    def _customer_mails(self):
        """The e-mails of the last gateway mock sent to customers (not the
        execution report to the responsible)."""
        return self._new_mails.filtered(lambda mail: mail.model == "res.partner")

    def _levels_sent(self, move):
        lines = move.reminder_dunning_line_ids.filtered(lambda line: line.state == "sent").sorted("id")
        return [(line.level_id.name, line.repeat_count) for line in lines]
