from odoo import api, fields, models
from odoo.exceptions import UserError


class ReminderRecurrenceOccurrence(models.Model):
    """One date of a recurrence and the activity it put in the user's agenda.

    At most one per recurrence and date: generating twice, or two workers
    generating at once, never duplicates an interaction or an invoice.
    """

    _name = "reminder.recurrence.occurrence"
    _description = "Recurrence Occurrence"
    _order = "date, id"
    _rec_name = "date"

    recurrence_id = fields.Many2one("reminder.recurrence", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="recurrence_id.company_id", store=True, index=True)
    user_id = fields.Many2one(related="recurrence_id.user_id")
    kind = fields.Selection(related="recurrence_id.kind")
    date = fields.Date(required=True, readonly=True)
    activity_id = fields.Many2one(
        "mail.activity", readonly=True, index="btree_not_null", ondelete="set null", copy=False
    )
    state = fields.Selection(
        [("planned", "Planned"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="planned",
        required=True,
        readonly=True,
        index=True,
    )
    invoice_id = fields.Many2one(
        "account.move", string="Invoice", readonly=True, copy=False, index="btree_not_null"
    )

    _recurrence_date_unique = models.UniqueIndex(
        "(recurrence_id, date)", "A recurrence has at most one occurrence per date."
    )

    @api.depends("recurrence_id.name", "date")
    def _compute_display_name(self):
        for occurrence in self:
            occurrence.display_name = f"{occurrence.recurrence_id.name} - {occurrence.date}"

    @api.model
    def _create_with_activities(self, vals_list):
        """Create occurrences with their activities, one insert for each."""
        recurrences = self.env["reminder.recurrence"].browse([vals["recurrence_id"] for vals in vals_list])
        activities = (
            self.env["mail.activity"]
            .with_context(mail_activity_quick_update=True)
            .create(
                [
                    recurrence._activity_values(vals["date"])
                    for recurrence, vals in zip(recurrences, vals_list, strict=True)
                ]
            )
        )
        return self.create(
            [
                dict(vals, activity_id=activity.id)
                for vals, activity in zip(vals_list, activities, strict=True)
            ]
        )

    def _unlink_with_activities(self):
        self.activity_id.filtered("active").unlink()
        self.unlink()

    def action_done(self):
        """Mark done through the activity, as its own "Done" button does."""
        with_activity = self.filtered(lambda o: o.state == "planned" and o.activity_id.active)
        with_activity.activity_id.action_feedback()
        (self - with_activity).filtered(lambda o: o.state != "done")._mark_done()
        return True

    def _mark_done(self):
        """Issue the invoices due, as the current user, then mark done."""
        self.filtered(lambda o: o.kind == "invoice").sudo(False)._issue_invoices()
        self.sudo().state = "done"

    def _issue_invoices(self):
        """Copy, post and send the template invoice of each occurrence, once.

        The invoice goes to the contacts of the customer subscribed to
        invoices (routing, see ``res.partner._reminder_route``: To, Cc or
        PEC), with the PDF rendered and stored by Odoo's invoice sending.
        """
        self.lock_for_update()
        to_issue = self.filtered(lambda o: not o.invoice_id)
        if missing := to_issue.recurrence_id.filtered(lambda r: not r.template_invoice_id):
            raise UserError(
                self.env._(
                    "Set a template invoice on %(recurrences)s.",
                    recurrences=", ".join(missing.mapped("name")),
                )
            )
        customers = to_issue.recurrence_id.template_invoice_id.commercial_partner_id
        routes = customers._reminder_route(self.env.ref("reminder_automation.document_type_invoice"))
        if errors := [routes[customer.id].error for customer in customers if routes[customer.id].error]:
            raise UserError("\n".join(errors))
        for occurrence in to_issue:
            template = occurrence.recurrence_id.template_invoice_id
            invoice = template.copy({"invoice_date": occurrence.recurrence_id._today()})
            invoice.action_post()
            occurrence.invoice_id = invoice
            route = routes[template.commercial_partner_id.id]
            invoice._reminder_send_by_email(route)
            occurrence._log_issued_invoice(route)

    def _log_issued_invoice(self, route):
        self.ensure_one()
        recipients = route.pec_emails or (route.to | route.cc).mapped("display_name")
        self.recurrence_id.message_post(
            body=self.env._(
                "Invoice %(invoice)s issued for %(date)s and sent to %(recipients)s.",
                invoice=self.invoice_id._get_html_link(),
                date=self.date,
                recipients=", ".join(recipients),
            )
        )
