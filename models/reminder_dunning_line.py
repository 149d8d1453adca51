from odoo import fields, models


class ReminderDunningLine(models.Model):
    """One invoice in one dunning communication, at one level.

    The lines are the dunning history: the last non-cancelled line of an
    invoice says which level it reached, and the unique index makes sure
    no invoice ever gets the same level (and repetition) twice.
    """

    _name = "reminder.dunning.line"
    _description = "Dunning Line"
    _order = "communication_id, invoice_date_due, id"

    communication_id = fields.Many2one(
        "reminder.dunning.communication", required=True, ondelete="cascade", index=True
    )
    run_id = fields.Many2one(related="communication_id.run_id", store=True, index=True)
    run_date = fields.Date(related="run_id.date", store=True, string="As of")
    company_id = fields.Many2one(related="communication_id.company_id", store=True)
    partner_id = fields.Many2one(related="communication_id.partner_id", store=True, index=True)
    move_id = fields.Many2one("account.move", string="Invoice", required=True, index=True, ondelete="cascade")
    level_id = fields.Many2one("reminder.dunning.level", required=True, ondelete="restrict")
    repeat_count = fields.Integer(default=0, help="0 for the first sending of the level, then 1, 2, ...")
    days_late = fields.Integer(help="Days after the due date when the line was prepared (negative: before).")
    invoice_date = fields.Date(related="move_id.invoice_date")
    invoice_date_due = fields.Date(related="move_id.invoice_date_due", store=True)
    currency_id = fields.Many2one("res.currency", required=True)
    residual = fields.Monetary(string="Amount Due", currency_field="currency_id")
    state = fields.Selection(
        [("pending", "Pending"), ("sent", "Sent"), ("cancelled", "Cancelled")],
        default="pending",
        required=True,
        index=True,
    )
    date_sent = fields.Datetime(readonly=True)
    comm_state = fields.Selection(related="communication_id.state", string="Communication Status")

    _last_line_of_invoice = models.Index("(move_id, id DESC) WHERE state != 'cancelled'")
    _level_once = models.UniqueIndex(
        "(move_id, level_id, repeat_count) WHERE state != 'cancelled'",
        "This invoice already received this reminder level.",
    )
