import ast
from collections import defaultdict, namedtuple
from datetime import timedelta

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, mute_logger

from .reminder_dunning_level import MAX_DAYS

# One overdue (or soon due) invoice, the level it is due for and when: on the
# date asked for, or later while its previous reminder is too recent.
DueItem = namedtuple(
    "DueItem",
    "move_id partner_id due_date level repeat_count days_late residual residual_company currency_id "
    "next_date",
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
    email_copies = fields.Selection(
        [("per_contact", "One Copy per Contact"), ("one", "One E-mail to All Contacts")],
        string="E-mail Copies",
        default="per_contact",
        required=True,
        help="One copy per contact: each contact's opening is told apart, and a mail server "
        "refusing one contact is that contact's error (retried when temporary). One e-mail to all "
        "contacts: half the messages and the queue's time for customers with two contacts, but an "
        "open is the customer's and a refusal of one of the contacts goes unseen. Either way the "
        "copies (Cc) get a message of their own, whose opening never counts.",
    )
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
        """Run the filter once: a filter that parses but cannot be searched
        (a text compared to a number, an unknown field) fails here, named,
        and not in the middle of a run."""
        for policy in self:
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    self.env["res.partner"].search_count(policy._partner_domain(), limit=1)
            except (ValueError, SyntaxError, TypeError, UserError, psycopg2.Error) as error:
                raise ValidationError(
                    self.env._(
                        "Customers Filter of %(policy)s is not a valid filter: %(error)s",
                        policy=policy.name,
                        error=getattr(error, "pgerror", None) or error,
                    )
                ) from error

    @api.constrains("min_overdue_days", "min_amount")
    def _check_minimums(self):
        for policy in self:
            if policy.min_overdue_days < 0 or policy.min_amount < 0:
                raise ValidationError(
                    self.env._("Minimum Days Overdue and Minimum Amount Due cannot be negative.")
                )
            if policy.min_overdue_days > MAX_DAYS:
                raise ValidationError(self.env._("Minimum Days Overdue cannot exceed %s days.", MAX_DAYS))

    def _partner_domain(self):
        """The Customers Filter as a domain; ValueError if it is not a list."""
        self.ensure_one()
        domain = ast.literal_eval(self.partner_domain or "[]")
        if not isinstance(domain, list):
            raise ValueError(self.env._("a filter is a list of conditions, not %r", domain))
        return fields.Domain(domain)

    def _levels(self):
        return self.level_ids.sorted(lambda level: (level.days, level.id))

    def _reminder_email_from(self):
        """The address the reminders of the policy are sent from: the
        responsible's if chosen (and set), else the company's reminder
        sender (False if it has none)."""
        self.ensure_one()
        if self.sender == "responsible" and self.responsible_id.email:
            return self.responsible_id.email_formatted
        return self.company_id._reminder_email_from()

    # ------------------------------------------------------------------
    # What is due
    # ------------------------------------------------------------------

    def _due_items(self, date, partner_ids=None, waiting=False, move_ids=None):
        """Every unpaid invoice of the policy due for a reminder on ``date``
        (of ``partner_ids`` and ``move_ids`` only, when given).

        One SQL query over the invoices, whatever their number: the candidates
        with their last non-cancelled dunning line, then, in Python, the next
        level of each (levels never skip; a courtesy level is skipped once
        the invoice is overdue, it would make no sense any more; a level
        waits its days after the previous reminder, and the customer's Next
        Action date).

        With ``waiting``, also the invoices late enough for their next level
        whose previous reminder is too recent or whose customer's next action
        is later: their ``next_date`` is the first day they are due (``date``
        for the others).
        """
        self.ensure_one()
        levels = self._levels()
        if not levels:
            return []
        self.env.flush_all()  # the query reads invoices, partners and lines
        rows = self.env.execute_query(self._due_candidates_query(date, levels, partner_ids, move_ids))
        position = {level.id: index for index, level in enumerate(levels)}
        # read once: 10,000 invoices, 10,000 calls
        days = levels.mapped("days")
        delays = levels.mapped("min_days_since_previous")
        items = []
        for (
            move_id,
            partner_id,
            due_date,
            last_level_id,
            repeat_count,
            last_date,
            last_send_state,
            next_action_date,
            *amounts,
        ) in rows:
            if last_send_state == "draft":
                continue  # already in a communication waiting to be sent
            days_late = (date - due_date).days
            level, repeat, next_date = self._next_level(
                levels, days, delays, position.get(last_level_id), repeat_count, last_date, days_late, date
            )
            if level and next_action_date:
                next_date = max(next_date, next_action_date)
            if level and (waiting or next_date <= date):
                items.append(
                    DueItem(move_id, partner_id, due_date, level, repeat, days_late, *amounts, next_date)
                )
        return self._apply_min_amount(items, date)

    def _next_level(self, levels, days, delays, last_index, repeat_count, last_date, days_late, date):
        """(level, repeat_count, next_date) for one invoice whose previous
        reminder (of level index ``last_index``) was sent on ``last_date``,
        or (None, 0, None) if it is not late enough for a level on ``date``.
        ``next_date`` is ``date``, or later while the level's days after the
        previous reminder have not passed. ``days`` and ``delays`` are the
        levels' day offsets and days after the previous level."""
        index = 0 if last_index is None else last_index + 1
        while index < len(days) and days[index] < 0 < days_late:
            index += 1  # the invoice is overdue: its courtesy levels are past
        if index < len(days):
            threshold = days[index] if days[index] < 0 else max(days[index], self.min_overdue_days)
            if days_late < threshold:
                return None, 0, None
            if last_date:
                return levels[index], 0, max(date, last_date + timedelta(delays[index]))
            return levels[index], 0, date
        last = levels[-1]
        if (
            last_index is not None
            and last.repeat_days
            and last_date
            and date >= last_date + timedelta(last.repeat_days)
        ):
            return last, repeat_count + 1, date
        return None, 0, None

    def _apply_min_amount(self, items, date):
        """Drop the customers owing less than the minimum amount: in the
        items due on ``date`` for those, in all their items for the
        waiting ones (they are reminded of all of them once due)."""
        if not self.min_amount:
            return items
        due, total = defaultdict(float), defaultdict(float)
        for item in items:
            total[item.partner_id] += item.residual_company
            if item.next_date <= date:
                due[item.partner_id] += item.residual_company
        return [
            item
            for item in items
            if (due if item.next_date <= date else total)[item.partner_id] >= self.min_amount
        ]

    def _due_candidates_query(self, date, levels, partner_ids, move_ids=None):
        first_threshold = min(levels.mapped("days"))
        partner_filter = SQL("TRUE")
        if partner_ids is not None:
            partner_filter = SQL("p.id = ANY(%s)", list(partner_ids))
        if move_ids is not None:
            partner_filter = SQL("%s AND m.id = ANY(%s)", partner_filter, list(move_ids))
        domain = self._partner_domain()
        if not domain.is_true():
            partner_query = self.env["res.partner"].with_context(active_test=False)._search(domain)
            partner_filter = SQL("%s AND p.id IN %s", partner_filter, partner_query.subselect())
        default_policy = self.company_id.reminder_dunning_policy_id.id or None
        return SQL(
            """
            SELECT m.id, p.id, m.invoice_date_due,
                   last.level_id, COALESCE(last.repeat_count, 0), last.run_date, last.send_state,
                   p.reminder_next_action_date,
                   m.amount_residual, ABS(m.amount_residual_signed), m.currency_id
              FROM account_move m
              JOIN res_partner p ON p.id = m.commercial_partner_id
         LEFT JOIN LATERAL (
                    -- reminded on the run's date, or on the day it left if later
                    SELECT l.level_id, l.repeat_count,
                           GREATEST(r.date, (c.date_sent AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date)
                               AS run_date,
                           c.send_state
                      FROM reminder_dunning_line l
                      JOIN reminder_dunning_communication c ON c.id = l.communication_id
                      JOIN reminder_dunning_run r ON r.id = c.run_id
                     WHERE l.move_id = m.id AND NOT l.cancelled AND c.send_state != 'error'
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
            tz=self.env.tz.zone,
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
        """Send the runs being sent (handed over by a user, or left
        half-sent by a killed worker) alongside any other worker, then start
        the runs of the policies whose schedule has come. Copies of the
        scheduled action run this concurrently: each policy is taken by
        one of them."""
        Run = self.env["reminder.dunning.run"]
        domain = ["|", ("state", "=", "sending"), "&", ("state", "=", "prepared"), ("auto_send", "=", True)]
        for run in Run.search(domain):
            run._send_resumable()
        today = fields.Date.context_today(self)
        for policy in self.search([("schedule", "!=", "manual"), ("next_run_date", "<=", today)]):
            if not Run._try_lock(policy):
                continue
            policy.next_run_date = today + SCHEDULE_DELTAS[policy.schedule]
            run = Run.create({"policy_id": policy.id, "auto_send": True})
            run.action_prepare()
            run._send_resumable()
