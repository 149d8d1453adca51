from collections import defaultdict
from datetime import timedelta

from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestAging(DunningCommon):
    """Open receivables by age: every bucket of every customer, summing to
    what the customer owes, each user seeing only its companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Aging = cls.env["reminder.aging"]
        cls.other_company = cls.setup_other_company()["company"]
        cls.not_due = cls._invoice(cls.bihor, 5, amount=100.0)
        cls.partly_paid = cls._invoice(cls.bihor, -10, amount=200.0)
        cls.late_45 = cls._invoice(cls.bihor, -45, amount=300.0)
        cls.late_75 = cls._invoice(cls.bihor, -75, amount=400.0)
        cls.late_120 = cls._invoice(cls.bihor, -120, amount=500.0)
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.partly_paid.ids
        ).create({"amount": 50.0})._create_payments()
        cls.refund = cls.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": cls.bihor.id,
                "company_id": cls.company.id,
                "invoice_date": cls.today,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Discount", "quantity": 1, "price_unit": 80.0, "tax_ids": [Command.clear()]}
                    )
                ],
            }
        )
        cls.refund.action_post()
        cls.rossi_seller = new_test_user(
            cls.env, "rossi_seller", company_id=cls.company.id, company_ids=[cls.company.id]
        )
        cls.rossi_late = cls._invoice(cls.rossi, -20, amount=1000.0, salesperson=cls.rossi_seller)
        paid = cls._invoice(cls.rossi, -30, amount=60.0)
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=paid.ids
        ).create({})._create_payments()
        cls.other_invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.bihor.id,
                "company_id": cls.other_company.id,
                "invoice_date": cls.today - timedelta(days=70),
                "invoice_date_due": cls.today - timedelta(days=40),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Service", "quantity": 1, "price_unit": 700.0, "tax_ids": [Command.clear()]}
                    )
                ],
            }
        )
        cls.other_invoice.action_post()

    def _buckets(self, user=None, companies=None):
        """``{(company, customer, bucket): amount}`` as ``user`` sees them."""
        companies = companies or self.company
        aging = self.Aging.with_user(user or self.env.user).with_context(allowed_company_ids=companies.ids)
        groups = aging._read_group(
            [("partner_id", "in", (self.bihor | self.rossi).ids)],
            ["company_id", "partner_id", "bucket"],
            ["amount_residual:sum"],
        )
        return {(company, partner, bucket): amount for company, partner, bucket, amount in groups}

    def test_buckets(self):
        self.assertEqual(self.partly_paid.amount_residual, 150.0)
        self.assertEqual(
            self._buckets(companies=self.company | self.other_company),
            {
                (self.company, self.bihor, "0_not_due"): 100.0 - 80.0,
                (self.company, self.bihor, "1_30"): 150.0,
                (self.company, self.bihor, "31_60"): 300.0,
                (self.company, self.bihor, "61_90"): 400.0,
                (self.company, self.bihor, "91_plus"): 500.0,
                (self.company, self.rossi, "1_30"): 1000.0,
                (self.other_company, self.bihor, "31_60"): 700.0,
            },
        )

    def test_buckets_sum_to_open_receivables(self):
        """Per company, the buckets of a customer add up to its receivable
        balance as accounting computes it (the customer's Total Receivable)."""
        totals = defaultdict(float)
        for (company, partner, _bucket), amount in self._buckets(
            companies=self.company | self.other_company
        ).items():
            totals[company, partner] += amount
        for company in self.company | self.other_company:
            for partner in self.bihor | self.rossi:
                self.assertAlmostEqual(
                    totals.get((company, partner), 0.0),
                    partner.with_company(company).credit,
                    msg=f"{partner.name} in {company.name}",
                )
        self.assertEqual(totals[self.company, self.bihor], 1370.0)

    def test_days_overdue_and_due_date(self):
        rows = self.Aging.search([("move_id", "in", (self.late_45 | self.not_due).ids)])
        by_move = {row.move_id: row for row in rows}
        self.assertEqual(by_move[self.late_45].days_overdue, 45)
        self.assertEqual(by_move[self.late_45].date_due, self.today - timedelta(days=45))
        self.assertEqual(by_move[self.not_due].days_overdue, 0)

    def test_user_sees_only_its_companies(self):
        self.assertEqual(
            {company for company, _partner, _bucket in self._buckets(self.handler)}, {self.company}
        )
        self.handler.company_ids = [Command.link(self.other_company.id)]
        self.assertEqual(
            self._buckets(self.handler, companies=self.other_company),
            {(self.other_company, self.bihor, "31_60"): 700.0},
        )

    def test_handler_without_invoicing_sees_own_customers(self):
        seller = new_test_user(
            self.env,
            "aging_seller",
            groups="base.group_user,reminder_automation.group_reminder_dunning",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        self.rossi.user_id = seller
        self.assertEqual(self._buckets(seller), {(self.company, self.rossi, "1_30"): 1000.0})

    def test_filters_salesperson_country_level(self):
        self.assertEqual(self.Aging.search([("user_id", "=", self.rossi_seller.id)]).move_id, self.rossi_late)
        italy = self.env.ref("base.it")
        self.rossi.country_id = italy
        self.assertEqual(self.Aging.search([("country_id", "=", italy.id)]).partner_id, self.rossi)
        self.assertFalse(self.Aging.search([("level_id", "!=", False)]))
        self._run()
        self.env.invalidate_all()  # a view: the ORM cannot tell which of its rows the run changed
        rows = self.Aging.search([("partner_id", "in", (self.bihor | self.rossi).ids)])
        self.assertIn(self.firm, rows.level_id)
        for row in rows:
            self.assertEqual(row.level_id, row.move_id.reminder_dunning_level_id, row.move_id.name)
        self.assertEqual(
            self.Aging.search([("level_id", "=", self.firm.id)]),
            rows.filtered(lambda row: row.level_id == self.firm),
        )

    def test_open_customer(self):
        row = self.Aging.with_user(self.handler).search([("move_id", "=", self.late_120.id)])
        action = row.action_open_partner()
        self.assertEqual((action["res_model"], action["res_id"]), ("res.partner", self.bihor.id))

    def test_views_load(self):
        views = self.Aging.with_user(self.handler).get_views(
            [(False, "pivot"), (False, "graph"), (False, "list"), (False, "search")]
        )
        self.assertIn('name="bucket"', views["views"]["pivot"]["arch"])
        self.assertIn('name="user_id"', views["views"]["search"]["arch"])
