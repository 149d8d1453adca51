from odoo import fields, models
from odoo.tools import SQL

BUCKETS = [
    # the keys sort in age order: grouped views list the buckets in it
    ("0_not_due", "Not Due"),
    ("1_30", "1-30 Days"),
    ("31_60", "31-60 Days"),
    ("61_90", "61-90 Days"),
    ("91_plus", "Over 90 Days"),
]


class ReminderAging(models.Model):
    """Open receivables of customers by age, as of the user's today.

    One row per open receivable journal item (invoice installment, credit
    note, unmatched payment), its residual in company currency: the rows of
    a customer sum to its open receivables. A view rather than an aged
    balance computed per customer, so that pivot and graph group any number
    of items in one query, by salesperson, country or reminder level.
    """

    _name = "reminder.aging"
    _description = "Receivables Aging"
    _auto = False
    _order = "date_due, id"
    _rec_name = "move_id"
    _depends = {
        "account.account": ["account_type"],
        "account.move": ["invoice_user_id"],
        "account.move.line": [
            "account_id",
            "amount_residual",
            "company_currency_id",
            "company_id",
            "date",
            "date_maturity",
            "move_id",
            "parent_state",
            "partner_id",
            "reconciled",
        ],
        "res.partner": ["commercial_partner_id", "country_id", "user_id"],
        "reminder.dunning.line": ["cancelled", "communication_id", "level_id", "move_id"],
        "reminder.dunning.communication": ["send_state"],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    move_id = fields.Many2one("account.move", string="Document", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    level_id = fields.Many2one(
        "reminder.dunning.level",
        string="Reminder Level",
        readonly=True,
        help="The last reminder level sent for the invoice.",
    )
    date_due = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(string="Days Overdue", readonly=True, aggregator="max")
    bucket = fields.Selection(BUCKETS, string="Age", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount_residual = fields.Monetary(string="Amount Due", readonly=True)

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        days = SQL("(%s::date - COALESCE(line.date_maturity, line.date))", today)
        return SQL(
            """
            SELECT line.id,
                   line.company_id,
                   partner.commercial_partner_id AS partner_id,
                   line.move_id,
                   COALESCE(commercial.user_id, move.invoice_user_id) AS user_id,
                   commercial.country_id,
                   last_sent.level_id,
                   COALESCE(line.date_maturity, line.date) AS date_due,
                   GREATEST(%(days)s, 0) AS days_overdue,
                   CASE WHEN %(days)s <= 0 THEN '0_not_due'
                        WHEN %(days)s <= 30 THEN '1_30'
                        WHEN %(days)s <= 60 THEN '31_60'
                        WHEN %(days)s <= 90 THEN '61_90'
                        ELSE '91_plus' END AS bucket,
                   line.company_currency_id AS currency_id,
                   line.amount_residual
              FROM account_move_line line
              JOIN account_account account ON account.id = line.account_id
              JOIN account_move move ON move.id = line.move_id
              JOIN res_partner partner ON partner.id = line.partner_id
              JOIN res_partner commercial ON commercial.id = partner.commercial_partner_id
              LEFT JOIN LATERAL (
                    SELECT dunning.level_id
                      FROM reminder_dunning_line dunning
                      JOIN reminder_dunning_communication communication
                        ON communication.id = dunning.communication_id
                     WHERE dunning.move_id = line.move_id
                       AND NOT dunning.cancelled
                       AND communication.send_state = 'queued'
                  ORDER BY dunning.id DESC
                     LIMIT 1
                   ) last_sent ON TRUE
             WHERE account.account_type = 'asset_receivable'
               AND line.parent_state = 'posted'
               AND line.reconciled IS NOT TRUE
               AND line.amount_residual != 0
            """,
            days=days,
        )

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "views": [(False, "form")],
        }
