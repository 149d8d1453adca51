import ast
from collections import namedtuple
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

# One overdue (or soon due) invoice and the level it is due for now.
DueItem = namedtuple(
    "DueItem",
    "move_id partner_id due_date level repeat_count days_late residual residual_company currency_id",
)

SCHEDULE_DELTAS = {
    "daily": relativedelta(days=1),
    "weekly": relativedelta(weeks=1),
    "monthly": relativedelta(months=1),
}


class ReminderDunningPolicy(models.Model):
    """Who is reminded of which unpaid invoices, when and how."""

    _name = "reminder.dunning.policy"
    _description = "Dunning Policy"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_ids = fields.One2many("reminder.dunning.level", "policy_id", string="Levels", copy=True)
    # scope
    partner_domain = fields.Char(
        string="Customers Filter", default="[]", help="Only customers matching this filter are reminded."
    )
    min_overdue_days = fields.Integer(
        string="Minimum Days Overdue", help="Overdue levels wait at least that many days after the due date."
    )
    min_amount = fields.Monetary(
        string="Minimum Amount Due",
        currency_field="currency_id",
        help="Customers owing less than this, in company currency, are not reminded.",
    )
    only_active_partners = fields.Boolean(default=True, string="Only Active Customers")
    partner_scope = fields.Selection(
        [("companies", "Companies Only"), ("all", "Companies and Individuals")],
        default="all",
        required=True,
        string="Customers",
    )
    function_patterns = fields.Char(
        string="Contact Functions",
        help="Comma-separated job functions of the contacts to write to, e.g. 'Conta, %Manage': "
        "'%' matches anything, a pattern without '%' matches the start of the function. "
        "Empty: the contacts subscribed to dunning letters, else the customer.",
    )
    grouping = fields.Selection(
        [("partner", "One per Customer"), ("invoice", "One per Invoice")],
        default="partner",
        required=True,
    )
    # sender and copies
    sender = fields.Selection(
        [("company", "Company Address"), ("responsible", "Responsible User")],
        default="company",
        required=True,
    )
    responsible_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        required=True,
        help="Receives the execution report of each run and, if chosen, sends the reminders.",
    )
    cc_email = fields.Char(string="Fixed CC", help="Copied on every reminder, e.g. a finance mailbox.")
    cc_salesperson = fields.Boolean(string="CC the Salesperson")
    # schedule
    schedule = fields.Selection(
        [("manual", "Manual Only"), ("daily", "Daily"), ("weekly", "Weekly"), ("monthly", "Monthly")],
        default="weekly",
        required=True,
        tracking=True,
    )
    next_run_date = fields.Date(default=fields.Date.context_today, tracking=True)
    run_ids = fields.One2many("reminder.dunning.run", "policy_id", string="Runs")
    run_count = fields.Integer(compute="_compute_run_count")

    @api.depends("run_ids")
    def _compute_run_count(self):
        counts = dict(
            self.env["reminder.dunning.run"]._read_group(
                [("policy_id", "in", self.ids)], ["policy_id"], ["__count"]
            )
        )
        for policy in self:
            policy.run_count = counts.get(policy, 0)

    @api.constrains("partner_domain")
    def _check_partner_domain(self):
        for policy in self:
            try:
                self.env["res.partner"].search_count(policy._partner_domain(), limit=1)
            except (ValueError, SyntaxError) as error:
                raise ValidationError(
                    self.env._(
                        "Customers Filter of %(policy)s is not a valid filter: %(error)s",
                        policy=policy.name,
                        error=error,
                    )
                ) from error

    @api.constrains("min_overdue_days", "min_amount")
    def _check_minimums(self):
        for policy in self:
            if policy.min_overdue_days < 0 or policy.min_amount < 0:
                raise ValidationError(
                    self.env._("Minimum Days Overdue and Minimum Amount Due cannot be negative.")
                )

    def _partner_domain(self):
        self.ensure_one()
        return fields.Domain(ast.literal_eval(self.partner_domain or "[]"))

    def _levels(self):
        return self.level_ids.sorted(lambda level: (level.days, level.id))

    # ------------------------------------------------------------------
    # What is due
    # ------------------------------------------------------------------

    def _due_items(self, date, partner_ids=None):
        """Every unpaid invoice of the policy due for a reminder on ``date``.

        One SQL query over the invoices, whatever their number: the candidates
        with their last non-cancelled dunning line, then, in Python, the next
        level of each (levels never skip; a courtesy level is skipped once
        the invoice is overdue, it would make no sense any more).
        """
        self.ensure_one()
        levels = self._levels()
        if not levels:
            return []
        self.env.flush_all()  # the query reads invoices, partners and lines
        rows = self.env.execute_query(self._due_candidates_query(date, levels, partner_ids))
        position = {level.id: index for index, level in enumerate(levels)}
        days = levels.mapped("days")  # read once: 10,000 invoices, 10,000 calls
        items = []
        for (
            move_id,
            partner_id,
            due_date,
            last_level_id,
            repeat_count,
            last_date,
            last_send_state,
            *amounts,
        ) in rows:
            if last_send_state == "draft":
                continue  # already in a communication waiting to be sent
            days_late = (date - due_date).days
            level, repeat = self._next_level(
                levels, days, position.get(last_level_id), repeat_count, last_date, days_late, date
            )
            if level:
                items.append(DueItem(move_id, partner_id, due_date, level, repeat, days_late, *amounts))
        return self._apply_min_amount(items)

    def _next_level(self, levels, days, last_index, repeat_count, last_date, days_late, date):
        """(level, repeat_count) due now for one invoice, or (None, 0);
        ``days`` are the levels' day offsets."""
        index = 0 if last_index is None else last_index + 1
        while index < len(days) and days[index] < 0 < days_late:
            index += 1  # the invoice is overdue: its courtesy levels are past
        if index < len(days):
            threshold = days[index] if days[index] < 0 else max(days[index], self.min_overdue_days)
            return (levels[index], 0) if days_late >= threshold else (None, 0)
        last = levels[-1]
        if (
            last_index is not None
            and last.repeat_days
            and last_date
            and date >= last_date + timedelta(last.repeat_days)
        ):
            return last, repeat_count + 1
        return None, 0

    def _apply_min_amount(self, items):
        if not self.min_amount:
            return items
        totals = {}
        for item in items:
            totals[item.partner_id] = totals.get(item.partner_id, 0.0) + item.residual_company
        return [item for item in items if totals[item.partner_id] >= self.min_amount]

    def _due_candidates_query(self, date, levels, partner_ids):
        first_threshold = min(levels.mapped("days"))
        partner_filter = SQL("TRUE")
        if partner_ids is not None:
            partner_filter = SQL("p.id = ANY(%s)", list(partner_ids))
        domain = self._partner_domain()
        if not domain.is_true():
            partner_query = self.env["res.partner"].with_context(active_test=False)._search(domain)
            partner_filter = SQL("%s AND p.id IN %s", partner_filter, partner_query.subselect())
        default_policy = self.company_id.reminder_dunning_policy_id.id or None
        return SQL(
            """
            SELECT m.id, p.id, m.invoice_date_due,
                   last.level_id, COALESCE(last.repeat_count, 0), last.run_date, last.send_state,
                   m.amount_residual, ABS(m.amount_residual_signed), m.currency_id
              FROM account_move m
              JOIN res_partner p ON p.id = m.commercial_partner_id
         LEFT JOIN LATERAL (
                    SELECT l.level_id, l.repeat_count, r.date AS run_date, c.send_state
                      FROM reminder_dunning_line l
                      JOIN reminder_dunning_communication c ON c.id = l.communication_id
                      JOIN reminder_dunning_run r ON r.id = c.run_id
                     WHERE l.move_id = m.id AND NOT l.cancelled
                  ORDER BY l.id DESC LIMIT 1
                   ) last ON TRUE
             WHERE m.move_type = 'out_invoice'
               AND m.state = 'posted'
               AND m.payment_state IN ('not_paid', 'partial')
               AND m.company_id = %(company)s
               AND m.amount_residual > 0
               AND m.invoice_date_due <= %(latest_due)s
               AND NOT COALESCE(m.reminder_dispute, FALSE)
               AND (m.reminder_promise_date IS NULL OR m.reminder_promise_date < %(date)s)
               AND NOT COALESCE(p.reminder_excluded, FALSE)
               AND NOT COALESCE(p.reminder_dispute, FALSE)
               AND (p.reminder_promise_date IS NULL OR p.reminder_promise_date < %(date)s)
               AND (p.active OR NOT %(only_active)s)
               AND (p.is_company OR %(individuals)s)
               AND COALESCE(p.reminder_dunning_policy_id, %(default_policy)s) = %(policy)s
               AND %(partner_filter)s
          ORDER BY p.id, m.invoice_date_due, m.id
            """,
            company=self.company_id.id,
            latest_due=date - timedelta(days=first_threshold),
            date=date,
            only_active=self.only_active_partners,
            individuals=self.partner_scope == "all",
            default_policy=default_policy,
            policy=self.id,
            partner_filter=partner_filter,
        )

    # ------------------------------------------------------------------
    # Runs
    # ------------------------------------------------------------------

    def action_start_run(self):
        """ "Start new run": prepare one now and open it for review."""
        self.ensure_one()
        run = self.env["reminder.dunning.run"].create({"policy_id": self.id})
        run.action_prepare()
        return run._get_form_action()

    def action_view_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "reminder_automation.reminder_dunning_run_action"
        )
        action["domain"] = [("policy_id", "=", self.id)]
        action["context"] = {"default_policy_id": self.id}
        return action

    @api.model
    def _cron_run_policies(self):
        """Resume the runs a killed worker left half-sent, then start the
        runs of the policies whose schedule has come."""
        Run = self.env["reminder.dunning.run"]
        for run in Run.search([("state", "in", ("prepared", "sending")), ("auto_send", "=", True)]):
            run._send_resumable()
        today = fields.Date.context_today(self)
        for policy in self.search([("schedule", "!=", "manual"), ("next_run_date", "<=", today)]):
            policy.next_run_date = today + SCHEDULE_DELTAS[policy.schedule]
            run = Run.create({"policy_id": policy.id, "auto_send": True})
            run.action_prepare()
            run._send_resumable()
