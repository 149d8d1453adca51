from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import format_date

ENDING_SOON_DAYS = 30


class ReminderRecurrence(models.Model):
    """What recurs, for whom, and when: an interaction or an invoice.

    Each date of the rule becomes an occurrence carrying an activity in the
    user's agenda, created up to a horizon ("Generate Interactions", then a
    daily cron). An invoice recurrence's activity is "Issue Invoice": marking
    it done copies the template invoice, posts it and sends it.
    """

    _name = "reminder.recurrence"
    _description = "Recurrence"
    _inherit = ["reminder.recurrence.rule", "mail.thread", "mail.activity.mixin"]
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    kind = fields.Selection(
        [("activity", "Interaction"), ("invoice", "Invoice")],
        string="Creates",
        default="activity",
        required=True,
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        required=True,
        default=lambda self: self.env.user,
        domain=[("share", "=", False)],
        tracking=True,
        help="Whose agenda receives the activities; dates are computed in this user's timezone.",
    )
    interaction_type_id = fields.Many2one(
        "mail.activity.type",
        compute="_compute_interaction_type_id",
        store=True,
        readonly=False,
        string="Activity Type",
        domain=[("res_model", "=", False)],
    )
    summary = fields.Char()
    note = fields.Html()
    partner_id = fields.Many2one(
        "res.partner",
        string="Partner",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
    )
    res_ref = fields.Reference(
        selection="_selection_res_ref",
        string="On Record",
        help="The record the activities are scheduled on; the partner when empty, "
        "else the recurrence itself.",
    )
    template_invoice_id = fields.Many2one(
        "account.move",
        string="Template Invoice",
        domain=[("move_type", "=", "out_invoice"), ("state", "=", "draft")],
        help="Draft customer invoice copied, posted and sent at each occurrence. Keep it in draft.",
    )
    horizon_days = fields.Integer(
        string="Plan Ahead (Days)",
        default=30,
        help="Occurrences are created this many days ahead; the daily cron moves the horizon.",
    )
    date_generated_until = fields.Date(string="Planned Until", readonly=True, copy=False)
    occurrence_ids = fields.One2many("reminder.recurrence.occurrence", "recurrence_id", string="Occurrences")
    occurrence_count = fields.Integer(compute="_compute_occurrence_count")
    planning_note = fields.Char(compute="_compute_planning_note")
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("ending", "Ending Soon"), ("ended", "Ended")],
        compute="_compute_state",
        search="_search_state",
    )

    _horizon_days_positive = models.Constraint(
        "CHECK(horizon_days > 0)", "The planning horizon must be at least one day."
    )

    @api.model
    def _selection_res_ref(self):
        """The business models with activities: not Odoo's technical ones
        (server actions, scheduled actions, ...), nor the recurrences."""
        models_with_activities = (
            self.env["ir.model"]
            .sudo()
            .search(
                Domain("is_mail_activity", "=", True)
                & Domain("abstract", "=", False)
                & Domain("transient", "=", False)
                & Domain("model", "!=", self._name)
                & Domain("model", "not =like", "ir.%")
                & Domain("model", "not =like", "mail.%")
            )
        )
        return [(model.model, model.name) for model in models_with_activities]

    @api.depends("kind")
    def _compute_interaction_type_id(self):
        invoice_type = self.env.ref("reminder_automation.mail_activity_type_issue_invoice")
        for recurrence in self:
            if recurrence.kind == "invoice":
                recurrence.interaction_type_id = invoice_type
            elif recurrence.interaction_type_id == invoice_type or not recurrence.interaction_type_id:
                recurrence.interaction_type_id = self.env.ref("mail.mail_activity_data_todo")

    @api.depends("template_invoice_id.partner_id")
    def _compute_partner_id(self):
        for recurrence in self.filtered("template_invoice_id"):
            recurrence.partner_id = recurrence.template_invoice_id.partner_id

    def _compute_occurrence_count(self):
        counts = dict(
            self.env["reminder.recurrence.occurrence"]._read_group(
                [("recurrence_id", "in", self.ids)], ["recurrence_id"], ["__count"]
            )
        )
        for recurrence in self:
            recurrence.occurrence_count = counts.get(recurrence, 0)

    @api.depends("date_generated_until", "date_stop", "horizon_days")
    def _compute_planning_note(self):
        """Occurrences exist only up to the horizon: say that the series
        goes on, or the form shows 1 occurrence of a 12-month series."""
        _ = self.env._
        for recurrence in self:
            until = recurrence.date_generated_until
            stop = recurrence.date_stop
            later = stop and until and len(recurrence._rule_dates(until + timedelta(days=1), stop))
            if not until or (stop and not later):
                recurrence.planning_note = False
                continue
            planned = _(
                "Planned until %(until)s (Plan Ahead: %(days)s days).",
                until=format_date(self.env, until),
                days=recurrence.horizon_days,
            )
            if stop:
                rest = _(
                    "%(later)s more until %(stop)s: the daily scheduled action plans each one "
                    "as its date comes near.",
                    later=later,
                    stop=format_date(self.env, stop),
                )
            else:
                rest = _(
                    "The next ones, with no end, are planned by the daily scheduled action "
                    "as their date comes near."
                )
            recurrence.planning_note = f"{planned} {rest}"

    @api.depends("date_generated_until", "date_stop")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for recurrence in self:
            if not recurrence.date_generated_until:
                recurrence.state = "draft"
            elif recurrence.date_stop and recurrence.date_stop < today:
                recurrence.state = "ended"
            elif recurrence.date_stop and recurrence.date_stop <= today + timedelta(ENDING_SOON_DAYS):
                recurrence.state = "ending"
            else:
                recurrence.state = "running"

    def _search_state(self, operator, value):
        if operator != "in":
            return NotImplemented
        today = fields.Date.context_today(self)
        soon = today + timedelta(ENDING_SOON_DAYS)
        started = [("date_generated_until", "!=", False)]
        domains = {
            "draft": [("date_generated_until", "=", False)],
            "running": started + ["|", ("date_stop", "=", False), ("date_stop", ">", soon)],
            "ending": started + [("date_stop", ">=", today), ("date_stop", "<=", soon)],
            "ended": started + [("date_stop", "<", today)],
        }
        return fields.Domain.OR(domains[state] for state in value if state in domains)

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    def write(self, vals):
        regenerate = (
            self.filtered("date_generated_until") if self._regenerating_fields() & vals.keys() else None
        )
        result = super().write(vals)
        if regenerate:
            regenerate._regenerate_occurrences()
        return result

    @api.model
    def _regenerating_fields(self):
        """Fields whose change replaces the future, not-done occurrences."""
        return {
            *self._rule_fields(),
            "kind",
            "user_id",
            "interaction_type_id",
            "summary",
            "note",
            "partner_id",
            "res_ref",
        }

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_generate_occurrences(self):
        self._generate_occurrences()
        return True

    def action_change_rule(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change Rule"),
            "res_model": "reminder.recurrence.rule.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_recurrence_id": self.id},
        }

    def action_view_occurrences(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "reminder_automation.reminder_recurrence_occurrence_action"
        )
        action["domain"] = [("recurrence_id", "=", self.id)]
        action["context"] = {"default_recurrence_id": self.id}
        return action

    def action_preview_invoice(self):
        self.ensure_one()
        return self.env.ref("account.account_invoices").report_action(self.template_invoice_id)

    # ------------------------------------------------------------------
    # Generation
    # ------------------------------------------------------------------

    def _today(self):
        """Today in the timezone of the recurrence's user."""
        self.ensure_one()
        return fields.Date.context_today(self.with_context(tz=self.user_id.tz or "UTC"))

    def _generate_occurrences(self):
        """Create the missing occurrences up to each recurrence's horizon.

        Idempotent: dates that already have an occurrence (planned, done or
        cancelled) are skipped, and a unique index stops a concurrent run.
        Past dates are never created. Three inserts whatever the number of
        recurrences: the activities, the occurrences, the horizons.
        """
        self.lock_for_update()
        windows = {}
        for recurrence in self:
            today = recurrence._today()
            windows[recurrence] = (
                max(recurrence.date_start, today),
                today + timedelta(recurrence.horizon_days),
            )
        existing = self._existing_occurrence_dates(
            min((start for start, _end in windows.values()), default=None)
        )
        occurrence_values = [
            {"recurrence_id": recurrence.id, "date": date}
            for recurrence, (date_from, date_to) in windows.items()
            if date_from <= date_to
            for date in recurrence._rule_dates(date_from, date_to)
            if date not in existing[recurrence.id]
        ]
        occurrences = self.env["reminder.recurrence.occurrence"]._create_with_activities(occurrence_values)
        for date_to, recurrences in self.grouped(lambda r: windows[r][1]).items():
            recurrences.write({"date_generated_until": date_to})
        return occurrences

    def _existing_occurrence_dates(self, date_from):
        """``{recurrence id: {dates}}`` of the occurrences from ``date_from`` on."""
        existing = defaultdict(set)
        if date_from is None:
            return existing
        groups = self.env["reminder.recurrence.occurrence"]._read_group(
            [("recurrence_id", "in", self.ids), ("date", ">=", date_from)],
            ["recurrence_id"],
            ["date:array_agg"],
        )
        for recurrence, dates in groups:
            existing[recurrence.id].update(dates)
        return existing

    def _regenerate_occurrences(self):
        """Replace the future occurrences not done yet; done ones are kept."""
        today = {recurrence: recurrence._today() for recurrence in self}
        self.occurrence_ids.filtered(
            lambda o: o.state != "done" and o.date >= today[o.recurrence_id]
        )._unlink_with_activities()
        return self._generate_occurrences()

    def _activity_target(self):
        """The record the activities go on."""
        self.ensure_one()
        if self.kind == "activity" and self.res_ref:
            return self.res_ref
        if self.kind == "activity" and self.partner_id:
            return self.partner_id
        return self

    def _activity_values(self, date):
        """``mail.activity`` values of the occurrence of ``date``."""
        self.ensure_one()
        target = self._activity_target()
        return {
            "res_model_id": self.env["ir.model"]._get_id(target._name),
            "res_id": target.id,
            "activity_type_id": self.interaction_type_id.id,
            "summary": self.summary or self.name,
            "note": self.note,
            "date_deadline": date,
            "user_id": self.user_id.id,
            "automated": True,
        }

    @api.model
    def _cron_generate_occurrences(self, batch_size=100):
        """Move the horizon of every running recurrence, in committed batches."""
        today = fields.Date.context_today(self)
        recurrences = self.search(
            [
                ("date_generated_until", "!=", False),
                "|",
                ("date_stop", "=", False),
                ("date_stop", ">=", today),
            ]
        )
        self.env["ir.cron"]._commit_progress(remaining=len(recurrences))
        for start in range(0, len(recurrences), batch_size):
            batch = recurrences[start : start + batch_size].try_lock_for_update()
            batch._generate_occurrences()
            if not self.env["ir.cron"]._commit_progress(len(batch)):
                break
