import json
import logging
from datetime import datetime, timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, mute_logger

from ..tools.cron_batch import commit_progress, lock_ids

_logger = logging.getLogger(__name__)


class ReminderDispatchBatch(models.Model):
    """Documents sent to their routed contacts (seed 004, "Spedizione
    documenti"): prepared from parameters, one line per document, reviewed
    (lines removed), then sent in resumable batches; the lines keep their
    errors while the others go out.

    Generic documents (files with their own subject and body, no Odoo
    document) use the same batch: lines without ``res_model`` carrying
    ``attachment_ids``, of the generic document type, whose template reads
    the batch's ``subject`` and ``body_html``."""

    _name = "reminder.dispatch.batch"
    _description = "Dispatch Batch"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(default=lambda self: self.env._("New"), readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("prepared", "To Review"),
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
    document_type_ids = fields.Many2many(
        "reminder.document.type",
        string="Document Types",
        domain=[("dispatchable", "=", True)],
        help="The kinds of documents to send.",
    )
    date_from = fields.Date(string="From", help="Documents dated from this day (their type's Date Field).")
    date_to = fields.Date(string="To", help="Documents dated until this day, included.")
    partner_ids = fields.Many2many(
        "res.partner", string="Only Partners", help="Only the documents of these customers or vendors."
    )
    include_dispatched = fields.Boolean(
        string="Send Again",
        help="Also the documents already sent (or waiting in another batch) for the same type: "
        "otherwise a document is dispatched once per type.",
    )
    auto_send = fields.Boolean(
        readonly=True, help="Created by the schedule: sent right after preparation, resumed if interrupted."
    )
    user_id = fields.Many2one(
        "res.users", string="Created By", default=lambda self: self.env.user, readonly=True
    )
    subject = fields.Char(translate=False, help="Subject of a generic document's e-mail.")
    body_html = fields.Html(string="Body", help="Body of a generic document's e-mail.")
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "reminder_dispatch_batch_attachment_rel",
        "batch_id",
        "attachment_id",
        string="Files",
        help="The files of a generic document.",
    )
    line_ids = fields.One2many("reminder.dispatch.line", "batch_id", string="Lines")
    error_line_ids = fields.One2many(
        "reminder.dispatch.line",
        "batch_id",
        string="Lines in Error",
        domain=[("state", "in", ("error", "bounced"))],
    )
    line_count = fields.Integer(string="Documents", compute="_compute_counts")
    sent_count = fields.Integer(
        string="Sent", compute="_compute_counts", help="Handed to the mail queue, sent, delivered or opened."
    )
    error_count = fields.Integer(string="Errors", compute="_compute_counts")

    @api.depends("line_ids.state")
    def _compute_counts(self):
        counts = {
            (batch.id, state): count
            for batch, state, count in self.env["reminder.dispatch.line"]._read_group(
                [("batch_id", "in", self.ids)], ["batch_id", "state"], ["__count"]
            )
        }
        for batch in self:
            of_batch = {state: count for (batch_id, state), count in counts.items() if batch_id == batch.id}
            batch.line_count = sum(of_batch.values())
            batch.sent_count = sum(of_batch.get(s, 0) for s in ("queued", "sent", "delivered", "opened"))
            batch.error_count = sum(of_batch.get(s, 0) for s in ("error", "bounced"))

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for batch in self:
            if batch.date_from and batch.date_to and batch.date_from > batch.date_to:
                raise ValidationError(
                    self.env._("The From date of %s must not be after its To date.", batch.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        if any("state" in vals for vals in vals_list):
            self._check_state_write()
        for vals in vals_list:
            vals["name"] = self.env["ir.sequence"].next_by_code("reminder.dispatch.batch") or vals.get("name")
        return super().create(vals_list)

    def write(self, vals):
        if "state" in vals:
            self._check_state_write()
        return super().write(vals)

    def _check_state_write(self):
        """The state changes only through the batch's actions."""
        if not self.env.su:
            raise AccessError(
                self.env._("The state of a dispatch batch changes only by preparing or sending it.")
            )

    def _write_state(self, state, **values):
        self.sudo().write({"state": state, **values})

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if self.filtered(lambda batch: batch.state in ("sending", "done")):
            raise UserError(self.env._("A batch that started sending cannot be deleted."))

    # ------------------------------------------------------------------
    # Rights
    # ------------------------------------------------------------------

    def _check_dispatch_rights(self, document_types):
        forbidden = document_types.filtered(lambda t: not t._dispatch_allowed())
        if forbidden:
            raise AccessError(
                self.env._(
                    "You are not allowed to send %(types)s: ask an administrator to add you to the "
                    "Allowed Users or Groups of the document type.",
                    types=", ".join(forbidden.mapped("name")),
                )
            )

    def _line_document_types(self):
        """Every document type of the lines, those the user may not see included."""
        return self.sudo().line_ids.document_type_id.sudo(False)

    # ------------------------------------------------------------------
    # Preparation
    # ------------------------------------------------------------------

    def action_prepare(self):
        """One line per qualifying document, routed: nothing is sent."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("Only a draft batch can be prepared."))
        if not self.document_type_ids:
            raise UserError(self.env._("Choose the Document Types of batch %s.", self.name))
        if undispatchable := self.document_type_ids.filtered(lambda t: not t.dispatchable):
            raise UserError(
                self.env._(
                    "%s cannot be dispatched: its application is not installed "
                    "or its Partner Field is empty.",
                    ", ".join(undispatchable.mapped("name")),
                )
            )
        self._check_dispatch_rights(self.document_type_ids)
        rows = []
        for doc_type in self.document_type_ids:
            rows += self._documents_to_dispatch(doc_type)
        self._insert_lines(rows)._reminder_resolve_recipients()
        self._write_state("prepared")
        return True

    def _documents_domain(self, doc_type):
        Model = self.env[doc_type.res_model]
        domain = doc_type._dispatch_domain()
        if date_fname := doc_type.date_field:
            is_datetime = Model._fields[date_fname].type == "datetime"
            if self.date_from:
                domain &= Domain(date_fname, ">=", self.date_from)
            if self.date_to:
                domain &= (
                    Domain(date_fname, "<", self.date_to + timedelta(days=1))
                    if is_datetime
                    else Domain(date_fname, "<=", self.date_to)
                )
        if "company_id" in Model._fields:
            domain &= Domain("company_id", "in", [False, self.company_id.id])
        if self.partner_ids:
            domain &= Domain(f"{doc_type.partner_field}.commercial_partner_id", "in", self.partner_ids.ids)
        if not self.include_dispatched:
            domain &= Domain(
                "id",
                "not in",
                SQL(
                    """SELECT res_id FROM reminder_dispatch_line
                        WHERE document_type_id = %s AND res_model = %s
                          AND send_state IN ('draft', 'queued')""",
                    doc_type.id,
                    doc_type.res_model,
                ),
            )
        return domain

    def _documents_to_dispatch(self, doc_type):
        """Rows of the lines to create for ``doc_type``: its qualifying
        documents in the batch's range, under the user's rights, in a few
        queries whatever their number, as of the batch's company (e.g. the
        customers' open receivables)."""
        Model = self.env[doc_type.res_model].with_company(self.company_id)
        name_fname = Model._rec_name if Model._rec_name in Model._fields else None
        fnames = [f for f in (doc_type.partner_field, doc_type.date_field, name_fname) if f]
        self.env["reminder.dispatch.line"].flush_model()
        documents = Model.search_fetch(self._documents_domain(doc_type), fnames, order="id")
        partners = documents[doc_type.partner_field]
        partners.fetch(["commercial_partner_id"])
        rows = []
        for doc in documents:
            partner = doc[doc_type.partner_field].commercial_partner_id
            if not partner:
                continue
            date = doc[doc_type.date_field] if doc_type.date_field else False
            rows.append(
                {
                    "type": doc_type.id,
                    "model": doc_type.res_model,
                    "res_id": doc.id,
                    "partner": partner.id,
                    "name": doc[name_fname] if name_fname else doc.display_name,
                    "date": fields.Date.to_string(date.date() if isinstance(date, datetime) else date)
                    if date
                    else None,
                }
            )
        return rows

    def _insert_lines(self, rows):
        """Create the lines of ``rows`` in one query: the ORM would check and
        default every field record by record (seconds for 10,000 lines)."""
        self.env.flush_all()
        now = self.env.cr.now()
        ids = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    """INSERT INTO reminder_dispatch_line
                           (batch_id, company_id, document_type_id, res_model, res_id, partner_id,
                            document_name, document_date, send_state, state,
                            create_uid, create_date, write_uid, write_date)
                    SELECT %(batch)s, %(company)s, t.type, t.model, t.res_id, t.partner,
                           t.name, t.date, 'draft', 'draft', %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM json_to_recordset(%(rows)s::json)
                           AS t(type int, model varchar, res_id int, partner int, name varchar, date date)
                 RETURNING id""",
                    batch=self.id,
                    company=self.company_id.id,
                    rows=json.dumps(rows),
                    uid=self.env.uid,
                    now=now,
                )
            )
        ]
        self._supersede_failed_lines(ids)
        self.invalidate_recordset(["line_ids", "error_line_ids"])
        return self.env["reminder.dispatch.line"].browse(ids)

    def _supersede_failed_lines(self, line_ids):
        """The failed lines of the documents the new lines ``line_ids`` send
        again give way (dismissed), in one query."""
        self.env.execute_query(
            SQL(
                """UPDATE reminder_dispatch_line old SET send_state = 'cancelled', state = 'cancelled'
                     FROM reminder_dispatch_line new
                    WHERE new.id = ANY(%s) AND old.send_state = 'error' AND old.res_id = new.res_id
                      AND old.res_model = new.res_model AND old.document_type_id = new.document_type_id""",
                line_ids,
            )
        )
        self.env["reminder.dispatch.line"].invalidate_model(["send_state", "state"])

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def action_send(self):
        """Send the reviewed batches. A batch with more lines to send than
        ``reminder_automation.dispatch_background_threshold`` (200) would
        outlast the user's request: the scheduled action sends it."""
        for batch in self:
            if batch.state not in ("prepared", "sending"):
                raise UserError(self.env._("Batch %s is not prepared.", batch.name))
        self._check_dispatch_rights(self._line_document_types())
        background = self._to_send_in_background()
        for batch in self - background:
            batch._send_resumable()
        if not background:
            return True
        background._write_state("sending")
        self.env.ref("reminder_automation.ir_cron_dispatch")._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Sending in the background"),
                "message": self.env._(
                    "%s: sent by the scheduled action.", ", ".join(background.mapped("name"))
                ),
                "type": "info",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _to_send_in_background(self):
        if self.env.context.get("cron_id"):
            return self.browse()
        threshold = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("reminder_automation.dispatch_background_threshold", 200)
        )
        to_send = dict(
            self.env["reminder.dispatch.line"]
            .sudo()
            ._read_group(
                [("batch_id", "in", self.ids), ("send_state", "=", "draft")], ["batch_id"], ["__count"]
            )
        )
        return self.filtered(lambda batch: to_send.get(batch, 0) > threshold)

    def action_cancel(self):
        if self.filtered(lambda batch: batch.state in ("sending", "done")):
            raise UserError(self.env._("A batch that started sending cannot be cancelled."))
        self.sudo().line_ids.filtered(lambda line: line.send_state == "draft")._reminder_write_state(
            "cancelled"
        )
        self._write_state("cancelled")

    def _send_resumable(self):
        """Send the lines still to send, batch after batch of
        ``mail.batch_size`` lines locked ``FOR UPDATE SKIP LOCKED`` (another
        worker skips them). In a cron each batch is committed: a killed
        worker loses at most the batch in flight, still to send when the
        cron starts again. Lines are sent as superuser: the rights were
        checked on the batch's document types."""
        self.ensure_one()
        if self.state == "prepared":
            self._write_state("sending")
        batch_size = int(self.env["ir.config_parameter"].sudo().get_param("mail.batch_size") or 500)
        Line = self.env["reminder.dispatch.line"].sudo()
        while True:
            Line.flush_model()
            ids = self._lock_lines(batch_size)
            if ids is None:
                return False
            if not ids:
                break
            Line.browse(ids)._dispatch_send()
            if commit_progress(self.env, len(ids)) <= 0:
                self.env.ref("reminder_automation.ir_cron_dispatch")._trigger()
                return False
        return self._finish_once()

    def _lock_lines(self, batch_size):
        """Ids of up to ``batch_size`` lines to send no other worker holds,
        locked; None when another worker sent some after this transaction
        began."""
        return lock_ids(
            self.env,
            SQL(
                """SELECT id FROM reminder_dispatch_line
                    WHERE batch_id = %s AND send_state = 'draft'
                 ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""",
                self.id,
                batch_size,
            ),
        )

    def _finish_once(self):
        """Done once nothing is left to send, by one worker: the others
        wait for the batch's row and find it done."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM reminder_dispatch_line WHERE batch_id = %s AND send_state = 'draft' LIMIT 1",
                self.id,
            )
        )
        if self.env.cr.rowcount:
            return False
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL("SELECT id FROM reminder_dispatch_batch WHERE id = %s FOR UPDATE", self.id)
                )
        except pg_errors.SerializationFailure:
            return False
        self.invalidate_recordset(["state"])
        if self.state != "sending":
            return False
        self._write_state("done")
        self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
        self.message_post(
            body=self.env._(
                "%(sent)s document(s) sent, %(errors)s error(s).",
                sent=self.sent_count,
                errors=self.error_count,
            )
        )
        return True

    # ------------------------------------------------------------------
    # Schedule
    # ------------------------------------------------------------------

    @api.model
    def _cron_dispatch(self):
        """Every night: a batch of yesterday's documents of the types to
        dispatch every day, per company, prepared and sent; then every batch
        left sending (in the background, or by a killed worker) resumed."""
        self._create_daily_batches()
        todo = self.search([("state", "=", "sending")], order="id")
        for batch in todo:
            if not batch._send_resumable() and self.env.context.get("cron_id"):
                return

    @api.model
    def _create_daily_batches(self):
        """Yesterday's batch of every company, once: as superuser, the cron
        sending for every company (each batch selects its own's documents)."""
        Batch = self.sudo()
        types = self.env["reminder.document.type"].search(
            [("dispatch_daily", "=", True), ("dispatchable", "=", True)]
        )
        if not types:
            return
        yesterday = fields.Date.context_today(self) - timedelta(days=1)
        done = Batch.search([("auto_send", "=", True), ("date_to", "=", yesterday)]).company_id
        for company in self.env["res.company"].sudo().search([("id", "not in", done.ids)]):
            batch = Batch.create(
                {
                    "company_id": company.id,
                    "document_type_ids": [fields.Command.set(types.ids)],
                    "date_from": yesterday,
                    "date_to": yesterday,
                }
            )
            batch.action_prepare()
            batch._write_state("sending", auto_send=True)
            commit_progress(self.env, 0)

    # ------------------------------------------------------------------
    # Views
    # ------------------------------------------------------------------

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "reminder_automation.reminder_dispatch_line_action"
        )
        action["domain"] = [("batch_id", "=", self.id)]
        action["context"] = {"default_batch_id": self.id}
        return action

    def action_view_errors(self):
        action = self.action_view_lines()
        action["domain"] = [("batch_id", "=", self.id), ("state", "in", ("error", "bounced"))]
        return action
