from collections import defaultdict
from datetime import datetime, time

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_date
from odoo.tools.misc import get_lang

# columns written by the set-wise insert of _refresh_rows, in this order
ROW_COLUMNS = (
    ("source", "varchar[]"),
    ("res_model", "varchar[]"),
    ("res_id", "int4[]"),
    ("date", "timestamp[]"),
    ("name", "varchar[]"),
    ("company_id", "int4[]"),
    ("currency_id", "int4[]"),
    ("policy_id", "int4[]"),
    ("partner_id", "int4[]"),
    ("move_id", "int4[]"),
    ("level_id", "int4[]"),
    ("item_count", "int4[]"),
    ("amount_due", "numeric[]"),
    ("amount_text", "varchar[]"),
    ("days_late", "int4[]"),
    ("salesperson_id", "int4[]"),
    ("country_id", "int4[]"),
    ("recipients", "varchar[]"),
    ("email_cc", "varchar[]"),
    ("no_recipient", "bool[]"),
    ("route_error", "varchar[]"),
    ("next_date", "date[]"),
    ("waiting", "bool[]"),
    ("meeting_reminder_id", "int4[]"),
)


class _PreviewDone(Exception):
    """Raised to roll back the savepoint of a preview."""


class ReminderTodo(models.Model):
    """Reminders to handle: one row per thing to remind (a customer, an
    invoice, a meeting's reminder, ...) due now or failed, per user,
    computed live when the dashboard opens.

    Rows are recomputed set-wise by :meth:`_refresh_rows` (a few queries,
    whatever the number of rows) and only serve the list view: its
    filters, groupings and the "Send" buttons.

    Every row, whatever its engine, fills the generic columns the list
    shows: ``source`` (the engine), the record (``res_model``, ``res_id``),
    ``partner_id``, ``date`` (when), ``name`` (what), ``recipients`` and
    ``route_error`` (the warning, with ``no_recipient``). The other
    columns are an engine's own (the dunning ones), optional in the list.

    Extension point for other engines (task reminders, dispatch, ...):
    add a value to ``source`` with ``selection_add`` and implement

    * ``_todo_rows_<source>()`` returning a list of row dicts (the column
      names of ``ROW_COLUMNS``; absent keys are NULL), and
    * ``_todo_count_<source>()`` returning the number of rows cheaply (the
      systray counter calls it every minute),

    and optionally, on the selected rows of the source,
    ``_todo_send_<source>()`` returning ``(sent, errors, records to link,
    number left to send in the background)`` (rows of a source without it
    are not sent) and ``_todo_preview_<source>()`` returning the values of
    a ``reminder.todo.preview`` (the row's Preview button shows then).
    :meth:`_reminder_todo_sections` lists every source with its count; the
    dashboard and the systray go through it and nothing else.
    """

    _name = "reminder.todo"
    _description = "Reminder to Handle"
    _order = "waiting, days_late desc, amount_due desc, date, id"

    user_id = fields.Many2one(
        "res.users", required=True, index=True, ondelete="cascade", default=lambda self: self.env.user
    )
    source = fields.Selection(
        [("dunning", "Dunning"), ("meeting", "Meeting Reminders")], required=True, default="dunning"
    )
    meeting_reminder_id = fields.Many2one("reminder.meeting", readonly=True, ondelete="cascade")
    res_model = fields.Char(string="Record Model", readonly=True)
    res_id = fields.Many2oneReference(string="Record ID", model_field="res_model", readonly=True)
    record_ref = fields.Reference(
        selection="_selection_record_model", string="Record", compute="_compute_record_ref"
    )
    date = fields.Datetime(string="When", readonly=True, help="When the reminder is or was due.")
    name = fields.Char(string="What", readonly=True)
    has_preview = fields.Boolean(compute="_compute_has_preview")
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    policy_id = fields.Many2one("reminder.dunning.policy", string="Policy", readonly=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Partner", readonly=True, ondelete="cascade")
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        readonly=True,
        ondelete="cascade",
        help="Set when the policy sends one reminder per invoice.",
    )
    level_id = fields.Many2one("reminder.dunning.level", string="Level", readonly=True, ondelete="cascade")
    item_count = fields.Integer(string="Invoices", readonly=True)
    amount_due = fields.Monetary(
        string="Total Due", currency_field="currency_id", readonly=True, help="In company currency."
    )
    amount_text = fields.Char(string="Due per Currency", readonly=True)
    days_late = fields.Integer(string="Days Late", readonly=True, help="Of the oldest invoice.")
    salesperson_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    country_id = fields.Many2one("res.country", string="Country", readonly=True)
    recipients = fields.Char(readonly=True)
    email_cc = fields.Char(string="CC", readonly=True)
    no_recipient = fields.Boolean(string="No Recipient", readonly=True)
    route_error = fields.Char(string="Warning", readonly=True)
    next_date = fields.Date(
        string="Next Reminder",
        readonly=True,
        help="Today, or later when the previous reminder is too recent for the next level.",
    )
    waiting = fields.Boolean(
        readonly=True,
        help="Reminded recently, or postponed: the next reminder waits for its Next Reminder date.",
    )
    next_action_date = fields.Date(related="partner_id.reminder_next_action_date")
    next_action = fields.Char(related="partner_id.reminder_next_action")

    @api.model
    def _selection_record_model(self):
        return [(model.model, model.name) for model in self.env["ir.model"].sudo().search([])]

    @api.depends("res_model", "res_id")
    def _compute_record_ref(self):
        for row in self:
            row.record_ref = f"{row.res_model},{row.res_id}" if row.res_model and row.res_id else False

    @api.depends("source")
    def _compute_has_preview(self):
        for row in self:
            row.has_preview = hasattr(row, f"_todo_preview_{row.source}")

    # ------------------------------------------------------------------
    # Sections (extension point)
    # ------------------------------------------------------------------

    def _todo_sources(self):
        return [value for value, _label in self._fields["source"]._description_selection(self.env)]

    @api.model
    def _reminder_todo_sections(self):
        """One dict per engine: ``source``, ``name``, ``count``."""
        labels = dict(self._fields["source"]._description_selection(self.env))
        return [
            {"source": source, "name": labels[source], "count": getattr(self, f"_todo_count_{source}")()}
            for source in self._todo_sources()
        ]

    @api.model
    def get_systray_data(self):
        """What the systray counter shows: the total and each section."""
        sections = self._reminder_todo_sections()
        return {"count": sum(section["count"] for section in sections), "sections": sections}

    # ------------------------------------------------------------------
    # Rows
    # ------------------------------------------------------------------

    @api.model
    def action_open_dashboard(self):
        """Recompute the current user's rows, then open them."""
        self._refresh_rows()
        return self.env["ir.actions.act_window"]._for_xml_id("reminder_automation.reminder_todo_action")

    @api.model
    def _refresh_rows(self):
        """Replace the current user's rows by what is due now: one DELETE,
        one INSERT, whatever the number of rows."""
        # a row without amount (a meeting, a document) still needs a currency,
        # or the list's totals show the amounts as of mixed currencies
        currencies = {company.id: company.currency_id.id for company in self.env.companies}
        rows = []
        for source in self._todo_sources():
            for row in getattr(self, f"_todo_rows_{source}")():
                currency_id = row.get("currency_id") or currencies.get(row.get("company_id"))
                rows.append(dict(row, source=source, currency_id=currency_id))
        self.flush_model()
        self.env.cr.execute(SQL("DELETE FROM reminder_todo WHERE user_id = %s", self.env.uid))
        if rows:
            now = fields.Datetime.now()
            # one array per column: one statement, little Python work
            self.env.cr.execute(
                SQL(
                    "INSERT INTO reminder_todo (user_id, create_uid, write_uid, create_date, write_date, %s) "
                    "SELECT %s, %s, %s, %s, %s, * FROM unnest(%s)",
                    SQL(", ").join(SQL.identifier(column) for column, _type in ROW_COLUMNS),
                    self.env.uid,
                    self.env.uid,
                    self.env.uid,
                    now,
                    now,
                    SQL(", ").join(
                        SQL("%s::%s", [row.get(column) for row in rows], SQL(sql_type))
                        for column, sql_type in ROW_COLUMNS
                    ),
                )
            )
        self.invalidate_model()
        count = sum(not row.get("waiting") for row in rows)
        self.env.user._bus_send("reminder_todo/count", {"count": count})
        return count

    # ------------------------------------------------------------------
    # Dunning section
    # ------------------------------------------------------------------

    def _todo_dunning_groups(self, waiting=False):
        """``[(policy, [DueItem])]``: what the runs of the policies of the
        user's companies would send now, one list per communication,
        restricted to what the user may see (see _todo_readable_items).

        With ``waiting``, also the customers whose next reminder waits for
        the days after their previous one (items with a later ``next_date``),
        when nothing is due for them now."""
        today = fields.Date.context_today(self)
        policies = self.env["reminder.dunning.policy"].search([("company_id", "in", self.env.companies.ids)])
        due = [(policy, policy._due_items(today, waiting=waiting)) for policy in policies]
        readable_moves, readable_partners = self._todo_readable(
            {item.move_id for _policy, items in due for item in items},
            {item.partner_id for _policy, items in due for item in items},
        )
        groups = []
        for policy, items in due:
            by_key = defaultdict(list)
            for item in items:
                if item.move_id in readable_moves and item.partner_id in readable_partners:
                    key = item.partner_id if policy.grouping == "partner" else (item.partner_id, item.move_id)
                    by_key[key].append(item)
            for group in by_key.values():
                due_now = [item for item in group if item.next_date <= today]
                groups.append((policy, due_now or group))
        return groups

    def _todo_readable(self, move_ids, partner_ids):
        """The invoices and customers the current user may see, in two queries.

        Users with invoicing rights (``account.group_account_invoice``) see
        every invoice their record rules let them read (companies, ...);
        other dunning handlers only see the invoices they are the
        salesperson of. Customers are filtered by the partner record rules
        (e.g. confidential contacts)."""
        Move = self.env["account.move"].with_context(active_test=False)
        domain = Domain("id", "in", list(move_ids))
        if self.env.user.has_group("account.group_account_invoice"):
            moves = set(Move.search(domain).ids)
        else:
            moves = set(Move.sudo().search(domain & Domain("invoice_user_id", "=", self.env.uid)).ids)
        partners = set(
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("id", "in", list(partner_ids))])
            .ids
        )
        return moves, partners

    def _todo_count_dunning(self):
        return len(self._todo_dunning_groups())

    def _todo_rows_dunning(self):
        today = fields.Date.context_today(self)
        groups = self._todo_dunning_groups(waiting=True)
        if not groups:
            return []
        partner_ids = list({items[0].partner_id for _policy, items in groups})
        move_ids = list({item.move_id for _policy, items in groups for item in items})
        partner_info = {
            pid: (user_id, country_id)
            for pid, user_id, country_id in self.env.execute_query(
                SQL("SELECT id, user_id, country_id FROM res_partner WHERE id = ANY(%s)", partner_ids)
            )
        }
        move_salesperson = dict(
            self.env.execute_query(
                SQL("SELECT id, invoice_user_id FROM account_move WHERE id = ANY(%s)", move_ids)
            )
        )
        routes = {}
        document_type = self.env.ref("reminder_automation.document_type_dunning_letter")
        for policy in {policy for policy, _items in groups}:
            partners = (
                self.env["res.partner"]
                .browse({items[0].partner_id for group_policy, items in groups if group_policy == policy})
                .with_context(active_test=False)
            )
            for partner_id, route in partners._reminder_route(
                document_type, policy.function_patterns or False
            ).items():
                routes[policy.id, partner_id] = route
        format_amount = self._todo_amount_formatter(
            self.env["res.currency"].browse({item.currency_id for _policy, items in groups for item in items})
        )
        rows = []
        for policy, items in groups:
            partner_id = items[0].partner_id
            oldest = max(items, key=lambda item: item.days_late)
            route = routes[policy.id, partner_id]
            by_currency = defaultdict(float)
            for item in items:
                by_currency[item.currency_id] += item.residual
            user_id, country_id = partner_info[partner_id]
            level = max((item.level for item in items), key=lambda level: level.days)
            amount_text = " + ".join(
                format_amount(currency_id, amount) for currency_id, amount in sorted(by_currency.items())
            )
            per_invoice = policy.grouping == "invoice"
            next_date = min(item.next_date for item in items)
            rows.append(
                {
                    "res_model": "account.move" if per_invoice else "res.partner",
                    "res_id": items[0].move_id if per_invoice else partner_id,
                    "date": self._todo_day_start(next_date),
                    "name": self.env._(
                        "%(level)s: %(amount)s (%(count)s invoices)",
                        level=level.name,
                        amount=amount_text,
                        count=len(items),
                    ),
                    "company_id": policy.company_id.id,
                    "currency_id": policy.company_id.currency_id.id,
                    "policy_id": policy.id,
                    "partner_id": partner_id,
                    "move_id": items[0].move_id if per_invoice else None,
                    "level_id": level.id,
                    "item_count": len(items),
                    "amount_due": sum(item.residual_company for item in items),
                    "amount_text": amount_text,
                    "days_late": oldest.days_late,
                    "salesperson_id": user_id or move_salesperson.get(oldest.move_id),
                    "country_id": country_id,
                    "recipients": ", ".join(route.pec_emails or route.to._reminder_recipient_labels("email"))
                    or None,
                    "email_cc": ", ".join(route.cc._reminder_recipient_labels("email")) or None,
                    "no_recipient": bool(route.error),
                    "route_error": route.error or None,
                    "next_date": next_date,
                    "waiting": items[0].next_date > today,
                }
            )
        return rows

    def _todo_day_start(self, day):
        """The UTC datetime at which ``day`` starts for the user: the "When"
        of a reminder due on a day rather than at a time."""
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    def _todo_amount_formatter(self, currencies):
        """``format(currency_id, amount)``: as ``odoo.tools.format_amount``
        (thousands grouped by three), with the language and currencies read
        once for all rows: 2,000 calls of format_amount take 0.3 s."""
        lang = self.env["res.lang"].browse(get_lang(self.env).id)
        thousands, decimal = lang.thousands_sep or "", lang.decimal_point or "."
        specs = {
            currency.id: (currency.decimal_places, currency.position, currency.symbol or "")
            for currency in currencies
        }

        def format_amount(currency_id, amount):
            digits, position, symbol = specs[currency_id]
            number = f"{amount:,.{digits}f}".translate({ord(","): thousands, ord("."): decimal})
            number = number.replace(" ", "\N{NO-BREAK SPACE}")
            return (
                f"{symbol}\N{NO-BREAK SPACE}{number}"
                if position == "before"
                else f"{number}\N{NO-BREAK SPACE}{symbol}"
            )

        return format_amount

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_record(self):
        """The record the row is about, in its own form."""
        self.ensure_one()
        return self.env[self.res_model].browse(self.res_id)._get_records_action()

    def action_postpone(self):
        """Postpone the dunning of the customers of the rows."""
        customers = self.filtered(lambda row: row.source == "dunning").partner_id
        if not customers:
            raise UserError(self.env._("Select reminders of customers (Dunning) to postpone."))
        return customers.action_reminder_postpone()

    def action_preview(self):
        """What this row would send, rendered by its engine; sends nothing."""
        self.ensure_one()
        values = {"todo_id": self.id, **getattr(self, f"_todo_preview_{self.source}")()}
        wizard = self.env["reminder.todo.preview"].create(values)
        return {
            "type": "ir.actions.act_window",
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Preview"),
        }

    def _todo_preview_dunning(self):
        """The e-mail of this line, exactly as a run would render it. The run
        is prepared in a savepoint rolled back at once: nothing is kept (a
        run number of the sequence is consumed)."""
        values = {}
        try:
            with self.env.cr.savepoint():
                run = self.env["reminder.dunning.run"].create(
                    {
                        "policy_id": self.policy_id.id,
                        "partner_ids": [fields.Command.set(self.partner_id.ids)],
                    }
                )
                run.action_prepare()
                comms = run.communication_ids
                if self.move_id:
                    comms = comms.filtered(lambda c: self.move_id in c.line_ids.move_id)
                if comms:
                    preview = self.env["reminder.dunning.preview"].new({"communication_id": comms[0].id})
                    values.update(
                        {
                            "recipients": preview.recipients,
                            "email_cc": preview.email_cc,
                            "subject": preview.subject,
                            "body_html": preview.body_html,
                            "error": preview.error,
                        }
                    )
                elif self.waiting:
                    values["error"] = self.env._(
                        "The previous reminder is too recent: the next one is due on %s.",
                        format_date(self.env, self.next_date),
                    )
                else:
                    values["error"] = self.env._("Nothing is due any more for this customer.")
                self.env.flush_all()
                raise _PreviewDone
        except _PreviewDone:
            pass
        self.env.invalidate_all()
        return values

    def action_send_selected(self):
        """Send the selected lines, each through its engine as its cron would."""
        return self._send_rows(self)

    @api.model
    def action_send_all_shown(self):
        """Send every line matching the current filters."""
        domain = Domain(self.env.context.get("active_domain") or [])
        return self._send_rows(self.search(domain & Domain("user_id", "=", self.env.uid)))

    def _send_rows(self, rows):
        rows = rows.filtered(lambda row: row.user_id == self.env.user)
        sent = errors = background = 0
        links = []
        for source, source_rows in rows.grouped("source").items():
            if not hasattr(source_rows, f"_todo_send_{source}"):
                continue
            source_sent, source_errors, records, source_background = getattr(
                source_rows, f"_todo_send_{source}"
            )()
            sent += source_sent
            errors += source_errors
            background += source_background
            links += [
                {"label": record.display_name, "url": f"/odoo/{record._name}/{record.id}"}
                for record in records
            ]
        self._refresh_rows()
        message = self.env._("%(sent)s reminders sent, %(errors)s errors.", sent=sent, errors=errors)
        if background:
            message += " " + self.env._(
                "%s more are sent in the background: you will be notified when they are.", background
            )
        if links:
            message += " " + " ".join("%s" for _link in links)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Reminders to handle"),
                "message": message,
                "links": links,
                "type": "warning" if errors else "success",
                "sticky": bool(errors),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _todo_send_dunning(self):
        """Through the same engine as the cron: never twice, errors on the
        communications and in the run's execution report."""
        Run = self.env["reminder.dunning.run"]
        runs = Run
        for policy, rows in self.filtered(lambda row: not row.waiting).grouped("policy_id").items():
            run = Run.create(
                {"policy_id": policy.id, "partner_ids": [fields.Command.set(rows.partner_id.ids)]}
            )
            run.action_prepare()
            if not run.communication_ids:
                run.action_cancel()
                continue
            run.action_send()
            runs |= run
        in_background = runs.filtered(lambda run: run.state == "sending")
        return (
            sum(runs.mapped("sent_count")),
            sum(runs.mapped("error_count")),
            runs,
            len(in_background.communication_ids.filtered(lambda comm: comm.send_state == "draft")),
        )

    # ------------------------------------------------------------------
    # Meeting reminders section
    # ------------------------------------------------------------------

    def _todo_meeting_reminders(self):
        """The failed reminders of meetings to come the user may see."""
        return self.env["reminder.meeting"].search(self.env["reminder.meeting"]._todo_domain())

    def _todo_count_meeting(self):
        return self.env["reminder.meeting"].search_count(self.env["reminder.meeting"]._todo_domain())

    def _todo_rows_meeting(self):
        reminders = self._todo_meeting_reminders()
        audiences = dict(reminders._fields["audience"]._description_selection(self.env))
        channels = dict(reminders._fields["channel"]._description_selection(self.env))
        return [
            {
                "res_model": "calendar.event",
                "res_id": reminder.event_id.id,
                "date": reminder.date_scheduled,
                "name": self.env._(
                    "%(meeting)s: %(channel)s reminder (%(audience)s)",
                    meeting=reminder.event_id.name,
                    channel=channels[reminder.channel],
                    audience=audiences[reminder.audience],
                ),
                "company_id": reminder.company_id.id,
                "partner_id": reminder.partner_id.id,
                "meeting_reminder_id": reminder.id,
                "recipients": reminder.phone or reminder.email or reminder.email_to or None,
                "no_recipient": True,
                "route_error": reminder.error_message or None,
            }
            for reminder in reminders
        ]

    def _todo_send_meeting(self):
        """Try the failed reminders again, now (their cause fixed by hand)."""
        reminders = self.meeting_reminder_id.sudo()
        reminders.action_retry()
        return (
            len(reminders.filtered(lambda r: r.send_state == "queued")),
            len(reminders.filtered(lambda r: r.send_state == "error")),
            reminders.event_id,
            0,
        )


class ReminderTodoDispatch(models.Model):
    """The document dispatch's section of Reminders to handle: batches
    waiting for review, and lines of sent batches in error (retried or
    dismissed from the line)."""

    _inherit = "reminder.todo"

    source = fields.Selection(
        selection_add=[("dispatch", "Document Dispatch")], ondelete={"dispatch": "cascade"}
    )

    def _todo_dispatch_domains(self):
        return (
            Domain("state", "=", "prepared"),
            Domain("state", "in", ("error", "bounced")) & Domain("batch_id.state", "=", "done"),
        )

    def _todo_count_dispatch(self):
        Batch, Line = self.env["reminder.dispatch.batch"], self.env["reminder.dispatch.line"]
        if not Batch.has_access("read"):
            return 0
        batches, errors = self._todo_dispatch_domains()
        return Batch.search_count(batches) + Line.search_count(errors)

    def _todo_rows_dispatch(self):
        Batch, Line = self.env["reminder.dispatch.batch"], self.env["reminder.dispatch.line"]
        if not Batch.has_access("read"):
            return []
        batches, errors = self._todo_dispatch_domains()
        rows = [
            {
                "res_model": batch._name,
                "res_id": batch.id,
                "date": batch.create_date,
                "name": self.env._(
                    "%(batch)s: %(count)s document(s) to review and send",
                    batch=batch.name,
                    count=batch.line_count,
                ),
                "company_id": batch.company_id.id,
            }
            for batch in Batch.search(batches)
        ]
        rows += [
            {
                "res_model": line._name,
                "res_id": line.id,
                "date": line.write_date,
                "name": f"{line.document_type_id.name}: {line.document_name or line.batch_id.name}",
                "company_id": line.company_id.id,
                "partner_id": line.partner_id.id,
                "recipients": line.email_to,
                "email_cc": line.email_cc,
                "route_error": line.error_message,
                "no_recipient": not line.email_to,
            }
            for line in Line.search(errors)
        ]
        return rows
