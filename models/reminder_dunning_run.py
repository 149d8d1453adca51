import logging
from collections import defaultdict

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, email_normalize, mute_logger
from odoo.tools.pdf import merge_pdf

from ..tools.cron_batch import commit_progress, lock_ids
from .reminder_dunning_level import MAX_DAYS

_logger = logging.getLogger(__name__)


# communication states
DELIVERED_STATES = ("sent", "delivered", "opened")
FAILED_STATES = ("error", "bounced")


def pg_array(values):
    """A PostgreSQL array as one text literal: psycopg2 would send a list as
    ARRAY[...] of as many constants, which takes longer to parse than the
    insert of 10,000 rows takes to run."""
    return "{%s}" % ",".join(map(str, values))


class ReminderDunningRun(models.Model):
    """A dunning run: prepared (reviewable, nothing sent), then sent in
    resumable batches, then reported."""

    _name = "reminder.dunning.run"
    _description = "Dunning Run"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(default=lambda self: self.env._("New"), readonly=True, copy=False)
    policy_id = fields.Many2one("reminder.dunning.policy", required=True, index=True, ondelete="restrict")
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="Reminders are computed as of this date.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("prepared", "Prepared"),
            ("sending", "Sending"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Only Customers",
        readonly=True,
        help="Restrict the run to these customers (e.g. the lines selected in Reminders to Handle).",
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Only Invoices",
        readonly=True,
        help="Restrict the run to these invoices (a reminder sent now from an invoice).",
    )
    letters_only = fields.Boolean(
        string="Printed Now",
        readonly=True,
        help="Started by Print Now: its reminders are letters, whatever the channels of their level.",
    )
    auto_send = fields.Boolean(
        help="Started by the schedule: sent right after preparation, resumed by the cron if interrupted."
    )
    user_id = fields.Many2one(
        "res.users", string="Started By", default=lambda self: self.env.user, readonly=True
    )
    communication_ids = fields.One2many("reminder.dunning.communication", "run_id", string="Communications")
    communication_count = fields.Integer(compute="_compute_counts")
    sent_count = fields.Integer(
        string="Reminded", compute="_compute_counts", help="Handed over to their channels and not failed."
    )
    queued_count = fields.Integer(
        string="In Mail Queue", compute="_compute_counts", help="E-mails waiting in the outgoing queue."
    )
    delivered_count = fields.Integer(
        string="Delivered",
        compute="_compute_counts",
        help="E-mails the mail server accepted (sent), delivered or opened.",
    )
    error_count = fields.Integer(
        string="Failed", compute="_compute_counts", help="Not routed, not rendered, refused or bounced."
    )
    report_html = fields.Html(string="Execution Report", readonly=True, copy=False, sanitize=False)
    send_user_id = fields.Many2one(
        "res.users",
        string="Sent By",
        readonly=True,
        copy=False,
        help="Who pressed Send on a run sent in the background: notified when it is done.",
    )
    processed_count = fields.Integer(
        string="Processed", compute="_compute_processed_count", help="Communications sent or failed so far."
    )
    letter_count = fields.Integer(string="Letters", compute="_compute_letter_count")

    @api.depends("communication_ids.state")
    def _compute_counts(self):
        """From the communications' delivery state, which follows what the
        mail queue and the mail server report."""
        counts = defaultdict(int)
        for run, state, count in self.env["reminder.dunning.communication"]._read_group(
            [("run_id", "in", self.ids)], ["run_id", "state"], ["__count"]
        ):
            counts[run.id, state] = count
        for run in self:
            run.communication_count = sum(
                count for (run_id, _state), count in counts.items() if run_id == run.id
            )
            run.queued_count = counts[run.id, "queued"]
            run.delivered_count = sum(counts[run.id, s] for s in DELIVERED_STATES)
            run.sent_count = run.queued_count + run.delivered_count
            run.error_count = sum(counts[run.id, s] for s in FAILED_STATES)

    @api.depends("communication_ids.send_state")
    def _compute_processed_count(self):
        processed = dict(
            self.env["reminder.dunning.communication"]._read_group(
                [("run_id", "in", self.ids), ("send_state", "!=", "draft")], ["run_id"], ["__count"]
            )
        )
        for run in self:
            run.processed_count = processed.get(run, 0)

    @api.depends("communication_ids.letter_attachment_id")
    def _compute_letter_count(self):
        counts = dict(
            self.env["reminder.dunning.communication"]._read_group(
                [("run_id", "in", self.ids), ("letter_attachment_id", "!=", False)], ["run_id"], ["__count"]
            )
        )
        for run in self:
            run.letter_count = counts.get(run, 0)

    @api.constrains("date")
    def _check_date(self):
        """A run looks back and ahead by its levels' days: its date must stay
        within as many days of today for the dates to exist."""
        today = fields.Date.context_today(self)
        for run in self:
            if abs((run.date - today).days) > MAX_DAYS:
                raise ValidationError(
                    self.env._(
                        "The date of run %(run)s must be within %(max)s days of today.",
                        run=run.name,
                        max=MAX_DAYS,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if any("state" in vals for vals in vals_list):
            self._check_state_write()
        for vals in vals_list:
            vals["name"] = self.env["ir.sequence"].next_by_code("reminder.dunning.run") or vals.get("name")
        return super().create(vals_list)

    def write(self, vals):
        if "state" in vals:
            self._check_state_write()
        return super().write(vals)

    def _check_state_write(self):
        """A run's state changes only through its actions (prepare, send,
        cancel), which write it as superuser: never by a user's write."""
        if not self.env.su:
            raise AccessError(
                self.env._("The state of a dunning run changes only by preparing, sending or cancelling it.")
            )

    def _write_state(self, state, **values):
        self.sudo().write({"state": state, **values})

    def _get_form_action(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Preparation
    # ------------------------------------------------------------------

    def action_prepare(self):
        """Compute what is due and create the communications and their
        lines, in a few queries. Nothing is sent."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("Only a draft run can be prepared."))
        self._lock_or_raise(self.policy_id, self.env._("Another run of this policy is being prepared."))
        items = self.policy_id._due_items(
            self.date, self.partner_ids.ids or None, move_ids=self.move_ids.ids or None
        )
        groups = defaultdict(list)
        for item in items:
            key = item.partner_id if self.policy_id.grouping == "partner" else (item.partner_id, item.move_id)
            groups[key].append(item)
        self._insert_communications(list(groups.values()))._dunning_resolve_recipients()
        self._write_state("prepared")
        return True

    def _insert_communications(self, groups):
        """Create one communication per group of due items and one line per
        item, in two queries whatever their number.

        The ORM's create would check and default every field record by
        record and log a creation message per communication (measured: 8 s
        for 10,000 invoices instead of well under one)."""
        self.env.flush_all()
        now = self.env.cr.now()
        comm_ids = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    """INSERT INTO reminder_dunning_communication
                           (run_id, policy_id, company_id, partner_id, level_id, send_state, state,
                            create_uid, create_date, write_uid, write_date)
                    SELECT %(run)s, %(policy)s, %(company)s, partner, level, 'draft', 'draft',
                           %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM unnest(%(partners)s::int[], %(levels)s::int[]) AS t(partner, level)
                 RETURNING id""",
                    run=self.id,
                    policy=self.policy_id.id,
                    company=self.company_id.id,
                    partners=pg_array(group[0].partner_id for group in groups),
                    levels=pg_array(
                        max((i.level for i in group), key=lambda level: level.days).id for group in groups
                    ),
                    uid=self.env.uid,
                    now=now,
                )
            )
        ]
        items = [(comm_id, item) for comm_id, group in zip(comm_ids, groups, strict=True) for item in group]
        self._supersede_failed_lines([item.move_id for _comm, item in items])
        self.env.cr.execute(
            SQL(
                """INSERT INTO reminder_dunning_line
                       (communication_id, move_id, level_id, repeat_count, days_late, residual, cancelled)
                SELECT comm, move, level, repeat, late, residual, FALSE
                  FROM unnest(%(comms)s::int[], %(moves)s::int[], %(levels)s::int[],
                              %(repeats)s::int[], %(lates)s::int[], %(residuals)s::numeric[])
                       AS t(comm, move, level, repeat, late, residual)""",
                comms=pg_array(comm_id for comm_id, _item in items),
                moves=pg_array(item.move_id for _comm, item in items),
                levels=pg_array(item.level.id for _comm, item in items),
                repeats=pg_array(item.repeat_count for _comm, item in items),
                lates=pg_array(item.days_late for _comm, item in items),
                residuals=pg_array(item.residual for _comm, item in items),
            )
        )
        self.env["reminder.dunning.communication"].invalidate_model()
        self.env["reminder.dunning.line"].invalidate_model()
        self.invalidate_recordset(["communication_ids"])
        return self.env["reminder.dunning.communication"].browse(comm_ids)

    def _supersede_failed_lines(self, move_ids):
        """The invoices of a communication that failed (and was not retried)
        are reminded again by this run: the failed lines give way."""
        self.env.cr.execute(
            SQL(
                """UPDATE reminder_dunning_line l SET cancelled = TRUE
                     FROM reminder_dunning_communication c
                    WHERE c.id = l.communication_id AND c.send_state = 'error'
                      AND NOT l.cancelled AND l.move_id = ANY(%s::int[])""",
                pg_array(move_ids),
            )
        )

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def action_send(self):
        """Send the runs. A run with more communications to send than the
        system parameter ``reminder_automation.dunning_background_threshold``
        (default 200) would outlast the user's request: it is handed to the
        cron, which notifies the user when it is done."""
        for run in self:
            if run.state not in ("prepared", "sending"):
                raise UserError(self.env._("Run %s is not prepared.", run.name))
        background = self._to_send_in_background()
        for run in self - background:
            run._send_resumable()
        if not background:
            return True
        background._write_state("sending", send_user_id=self.env.uid)
        self._trigger_send_workers()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Sending in the background"),
                "message": self.env._(
                    "%(runs)s: sent by the scheduled action; you will be notified when it is done.",
                    runs=", ".join(background.mapped("name")),
                ),
                "type": "info",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _to_send_in_background(self):
        """The runs too large to be sent in the user's request (a cron sends
        every run in its own committed batches)."""
        if self.env.context.get("cron_id"):
            return self.browse()
        threshold = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("reminder_automation.dunning_background_threshold", 200)
        )
        to_send = dict(
            self.env["reminder.dunning.communication"]._read_group(
                [("run_id", "in", self.ids), ("send_state", "=", "draft")], ["run_id"], ["__count"]
            )
        )
        return self.filtered(lambda run: to_send.get(run, 0) > threshold)

    def _trigger_send_workers(self):
        """Wake up every scheduled action that sends runs: the module's, and
        the copies of it an administrator made to send with more workers."""
        cron = self.env.ref("reminder_automation.ir_cron_dunning").sudo()
        for worker in cron.search([("model_id", "=", cron.model_id.id), ("code", "=", cron.code)]):
            worker._trigger()

    def action_cancel(self):
        if self.filtered(lambda run: run.state in ("sending", "done")):
            raise UserError(self.env._("A run that started sending cannot be cancelled."))
        self.communication_ids.action_cancel()
        self._write_state("cancelled")

    def _send_resumable(self):
        """Send the communications still to send, batch after batch, with
        any other worker sending the same run.

        Each batch is locked ``FOR UPDATE SKIP LOCKED``: workers never send
        the same communication. In a cron every batch is committed, so a
        killed worker loses at most the batch in flight, which is still "to
        send" when a cron starts again. Returns whether this worker finished
        the run."""
        self.ensure_one()
        if self.state == "prepared":
            if not self._try_lock(self):
                _logger.info("Dunning run %s is being started by another worker", self.name)
                return False
            self._write_state("sending")
            if self.env.context.get("cron_id"):
                # the other workers join once this transaction commits
                self._trigger_send_workers()
        batch_size = int(
            self.env["ir.config_parameter"].sudo().get_param("reminder_automation.dunning_batch_size")
            or self.env["ir.config_parameter"].sudo().get_param("mail.batch_size", 500)
            or 500
        )
        Communication = self.env["reminder.dunning.communication"]
        while True:
            # the whole model: with its recomputed state, the last batch's
            # communications are updated in one query each, not two
            Communication.flush_model()
            ids = self._lock_batch(batch_size)
            if ids is None:
                # another worker committed what this snapshot was about to lock
                self._trigger_send_workers()
                return False
            if not ids:
                return self._finish_once()
            Communication.browse(ids)._dunning_send()
            if commit_progress(self.env, len(ids)) <= 0:
                self._trigger_send_workers()
                return False

    def _lock_batch(self, batch_size):
        """Ids of up to ``batch_size`` communications to send that no other
        worker holds, locked; None when one was sent and committed by
        another worker after this transaction began."""
        return lock_ids(
            self.env,
            SQL(
                """SELECT id FROM reminder_dunning_communication
                    WHERE run_id = %s AND send_state = 'draft'
                 ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""",
                self.id,
                batch_size,
            ),
        )

    def _finish_once(self):
        """Finish the run when nothing is left to send, exactly once.

        Another worker's batch in flight is still "to send" in this
        snapshot: that worker finishes. Two workers finding nothing left
        both lock the run row; the second gets it after the first committed
        'done', which REPEATABLE READ refuses to lock (or shows as done)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT 1 FROM reminder_dunning_communication
                    WHERE run_id = %s AND send_state = 'draft' LIMIT 1""",
                self.id,
            )
        )
        if self.env.cr.rowcount or not self._try_lock(self, wait=True):
            return False
        self.invalidate_recordset(["state"])
        if self.state != "sending":
            return False
        self._finish()
        return True

    def _finish(self):
        self._write_state("done", report_html=self._execution_report())
        self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
        responsible = self.policy_id.responsible_id
        sent_by = self.send_user_id
        # also e-mailed to the address the reminders left from (e.g. the
        # billing mailbox, where the customers' replies and bounces arrive)
        sender = self.policy_id._reminder_email_from()
        if email_normalize(sender) in (False, responsible.partner_id.email_normalized):
            sender = False
        self.message_post(
            body=self.report_html,
            subject=self.env._("Dunning run %s: execution report", self.name),
            partner_ids=(responsible | sent_by).partner_id.ids,
            outgoing_email_to=sender,
            subtype_xmlid="mail.mt_comment",
        )
        sent_by._bus_send(
            "simple_notification",
            {
                "type": "success",
                "title": self.env._("Dunning run %s sent", self.name),
                "message": self.env._(
                    "Customers reminded: %(sent)s, failed: %(failed)s. See the execution report.",
                    sent=self.sent_count,
                    failed=self.error_count,
                ),
            },
        )

    def _execution_report(self):
        """Customers reminded per level, then every failure, as HTML; the
        counts as the communications' delivery states stand."""
        comms = self.communication_ids
        reminded = comms.filtered(lambda c: c.state == "queued" or c.state in DELIVERED_STATES)
        return self.env["ir.qweb"]._render(
            "reminder_automation.dunning_execution_report",
            {
                "run": self,
                "per_level": reminded.grouped("level_id"),
                "errors": comms.filtered(
                    lambda c: c.state in FAILED_STATES or (c.error_message and c in reminded)
                ),
                "cancelled": comms.filtered(lambda c: c.state == "cancelled"),
            },
        )

    # ------------------------------------------------------------------
    # Locks
    # ------------------------------------------------------------------

    def _try_lock(self, records, wait=False):
        """Lock ``records``' rows for this transaction; False if another
        transaction holds them (``wait``: waits for it instead) or changed
        them since this one began."""
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM %s WHERE id = ANY(%s) FOR UPDATE%s",
                        SQL.identifier(records._table),
                        records.ids,
                        SQL("" if wait else " NOWAIT"),
                    )
                )
        except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure):
            return False
        return True

    def _lock_or_raise(self, records, message):
        if not self._try_lock(records):
            raise UserError(message)

    def action_print_letters(self):
        """All the letters of the run in one PDF for the post room, by
        customer name: the letters stored when sending, merged by Odoo's PDF
        tools (wkhtmltopdf renders one document per call here)."""
        self.ensure_one()
        comms = self.communication_ids.filtered("letter_attachment_id").sorted(
            lambda comm: (comm.partner_id.name or "", comm.id)
        )
        if not comms:
            raise UserError(self.env._("Run %s printed no letter.", self.name))
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._("Letters %s.pdf", self.name),
                "raw": merge_pdf([comm.letter_attachment_id.raw for comm in comms]),
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true"}

    def _remind_now_notification(self):
        """What a reminder sent now became: sent to whom, or why not."""
        self.ensure_one()
        failed = self.communication_ids.filtered(lambda comm: comm.send_state == "error")
        if failed:
            message, kind = "\n".join(failed.mapped("error_message")), "warning"
        else:
            message, kind = (
                self.env._(
                    "%(level)s sent to %(customer)s.",
                    level=", ".join(self.communication_ids.level_id.mapped("name")),
                    customer=", ".join(self.communication_ids.partner_id.mapped("display_name")),
                ),
                "success",
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Dunning run %s", self.name),
                "message": message + " %s",
                "links": [{"label": self.env._("Open the run"), "url": f"/odoo/{self._name}/{self.id}"}],
                "type": kind,
                "sticky": bool(failed),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_view_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "reminder_automation.reminder_dunning_communication_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        return action
