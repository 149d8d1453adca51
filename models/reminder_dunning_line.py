from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain


class ReminderDunningLine(models.Model):
    """One invoice in one dunning communication, at one level.

    The lines are the dunning history: the last non-cancelled line of an
    invoice says which level it reached, and the unique index makes sure
    no invoice ever gets the same level (and repetition) twice. Whether a
    line was sent is its communication's: sending writes no line.
    """

    _name = "reminder.dunning.line"
    _description = "Dunning Line"
    _order = "communication_id, id"  # a run inserts them by due date
    # A run inserts thousands of lines, each foreign key checked per row:
    # the lines keep only the keys they need, no create/write users, and
    # reach run, customer and company through their communication, due
    # date and currency through their invoice.
    _log_access = False

    communication_id = fields.Many2one(
        "reminder.dunning.communication", required=True, ondelete="cascade", index=True
    )
    run_id = fields.Many2one(related="communication_id.run_id")
    run_date = fields.Date(related="run_id.date", string="As of")
    company_id = fields.Many2one(related="communication_id.company_id")
    partner_id = fields.Many2one(related="communication_id.partner_id")
    # indexed by _last_line_of_invoice
    move_id = fields.Many2one("account.move", string="Invoice", required=True, ondelete="cascade")
    level_id = fields.Many2one("reminder.dunning.level", required=True, ondelete="restrict")
    repeat_count = fields.Integer(default=0, help="0 for the first sending of the level, then 1, 2, ...")
    days_late = fields.Integer(help="Days after the due date when the line was prepared (negative: before).")
    invoice_date = fields.Date(related="move_id.invoice_date")
    invoice_date_due = fields.Date(related="move_id.invoice_date_due")
    currency_id = fields.Many2one(related="move_id.currency_id")
    residual = fields.Monetary(string="Amount Due", currency_field="currency_id")
    cancelled = fields.Boolean(
        default=False,  # stored false, not NULL: the partial indexes are on NOT cancelled
        readonly=True,
        help="Paid before sending, or its communication failed or was cancelled: "
        "the invoice is free for the next run.",
    )
    state = fields.Selection(
        [("pending", "Pending"), ("sent", "Sent"), ("cancelled", "Cancelled")],
        compute="_compute_state",
        search="_search_state",
    )
    date_sent = fields.Datetime(related="communication_id.date_sent")
    comm_state = fields.Selection(related="communication_id.state", string="Communication Status")

    _last_line_of_invoice = models.Index("(move_id, id DESC)")
    _level_once = models.UniqueIndex(
        "(move_id, level_id, repeat_count) WHERE NOT cancelled",
        "This invoice already received this reminder level.",
    )

    @api.constrains("move_id", "communication_id")
    def _check_invoice_of_communication(self):
        """A line reminds an invoice of its communication's customer and
        company, never another's: its item table and pay-now link show the
        invoice to whoever reads the communication. Checked on the ORM's
        create and write; the engine inserts lines in SQL from those very
        invoices."""
        foreign = self.sudo().filtered(
            lambda line: (
                line.move_id.company_id != line.communication_id.company_id
                or line.move_id.commercial_partner_id
                != line.communication_id.partner_id.commercial_partner_id
            )
        )
        if foreign:
            raise ValidationError(
                self.env._(
                    "A dunning line can only remind an invoice of its communication's customer "
                    "and company: %s.",
                    ", ".join(foreign.move_id.mapped("display_name")),
                )
            )

    @api.depends("cancelled", "communication_id.send_state")
    def _compute_state(self):
        for line in self:
            if line.cancelled:
                line.state = "cancelled"
            elif line.communication_id.send_state == "queued":
                line.state = "sent"
            else:
                line.state = "pending"

    def _search_state(self, operator, value):
        if operator != "in":
            return NotImplemented
        domains = {
            "cancelled": Domain("cancelled", "=", True),
            "sent": Domain("cancelled", "=", False) & Domain("communication_id.send_state", "=", "queued"),
            "pending": Domain("cancelled", "=", False)
            & Domain("communication_id.send_state", "!=", "queued"),
        }
        return Domain.OR(domains[state] for state in value if state in domains)
