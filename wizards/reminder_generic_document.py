from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from ..models.res_partner import _fold, compile_function_patterns


class ReminderGenericDocument(models.TransientModel):
    """Files of one's own (a price list, a circular, a promotion in PDF,
    DOCX, ...) with a subject and a body, sent to the partners or contacts
    the filters select (SPEC 5.4, seed 004 "invio di documenti generici"):
    prepared as a dispatch batch, one line per recipient, reviewed and sent
    like any other."""

    _name = "reminder.generic.document"
    _description = "Send Generic Document"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    subject = fields.Char(required=True)
    body_html = fields.Html(string="Body", sanitize_style=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Files", required=True)
    # which partners (customers, vendors)
    partner_kind = fields.Selection(
        [("customer", "Customers"), ("vendor", "Vendors"), ("all", "Customers and Vendors")],
        string="Send To",
        default="customer",
        required=True,
    )
    category_ids = fields.Many2many("res.partner.category", string="Tags")
    salesperson_ids = fields.Many2many("res.users", string="Salespersons")
    country_ids = fields.Many2many("res.country", string="Countries")
    state_ids = fields.Many2many("res.country.state", string="States")
    city = fields.Char(help="Partners of this city (case and accents as typed).")
    product_ids = fields.Many2many("product.product", string="Bought Products")
    product_category_ids = fields.Many2many("product.category", string="Bought Product Categories")
    months = fields.Integer(
        string="In the Last (Months)",
        default=12,
        help="Partners invoiced for one of the products (or of their categories) in these last months.",
    )
    # which of their contacts
    function_patterns = fields.Char(
        string="Contact Functions",
        help="Comma-separated job positions, e.g. 'Purchas, %Manage': the contacts whose function "
        "starts with one of them (% matches any text). Empty: see Subscribed To.",
    )
    document_type_id = fields.Many2one(
        "reminder.document.type",
        string="Subscribed To",
        help="Only the contacts who receive (or receive in copy) this document type. Empty, and no "
        "contact function: the contacts subscribed to generic documents, else the partner itself.",
    )
    partner_count = fields.Integer(string="Partners", compute="_compute_counts")
    recipient_count = fields.Integer(string="Recipients", compute="_compute_counts")

    @api.constrains("months")
    def _check_months(self):
        if any(wizard.months < 1 for wizard in self):
            raise ValidationError(self.env._("In the Last (Months) must be at least 1."))

    @api.depends(
        "partner_kind",
        "category_ids",
        "salesperson_ids",
        "country_ids",
        "state_ids",
        "city",
        "product_ids",
        "product_category_ids",
        "months",
        "function_patterns",
        "document_type_id",
        "company_id",
    )
    def _compute_counts(self):
        for wizard in self:
            partners = wizard._partners()
            wizard.partner_count = len(partners)
            wizard.recipient_count = len(wizard._recipients(partners))

    # ------------------------------------------------------------------
    # Who receives it
    # ------------------------------------------------------------------

    def _partner_domain(self):
        """The partners the filters select: commercial entities of the
        company, under the user's rights (confidential ones only to their
        group), the purchases read in one query over invoice lines."""
        customers, vendors = Domain("customer_rank", ">", 0), Domain("supplier_rank", ">", 0)
        domain = (
            Domain("parent_id", "=", False)
            & Domain("company_id", "in", [False, self.company_id.id])
            & {"customer": customers, "vendor": vendors}.get(self.partner_kind, customers | vendors)
        )
        for fname, values in (
            ("category_id", self.category_ids),
            ("user_id", self.salesperson_ids),
            ("country_id", self.country_ids),
            ("state_id", self.state_ids),
        ):
            if values:
                domain &= Domain(fname, "in", values.ids)
        if self.city:
            domain &= Domain("city", "=ilike", self.city.strip())
        if self.product_ids or self.product_category_ids:
            domain &= Domain("id", "in", self._buyers_query())
        return domain

    def _buyers_query(self):
        """Subquery of the customers invoiced for the products (or products
        of the categories) in the last ``months``: read as superuser, as
        statistics: the user sees only the partners it may."""
        products = Domain.FALSE
        if self.product_ids:
            products |= Domain("product_id", "in", self.product_ids.ids)
        if self.product_category_ids:
            products |= Domain("product_id.categ_id", "child_of", self.product_category_ids.ids)
        since = fields.Date.context_today(self) - relativedelta(months=self.months)
        lines = (
            self.env["account.move.line"]
            .sudo()
            ._search(
                Domain("company_id", "=", self.company_id.id)
                & Domain("parent_state", "=", "posted")
                & Domain("move_type", "in", ("out_invoice", "out_receipt"))
                & Domain("date", ">=", since)
                & products
            )
        )
        return lines.subselect(SQL.identifier(lines.table, "partner_id"))

    def _partners(self):
        return self.env["res.partner"].with_company(self.company_id).search(self._partner_domain())

    def _recipients(self, partners):
        """The contacts of ``partners`` who receive the files, with an
        e-mail address: those the contact filters select, else the routing
        of generic documents (subscribed contacts and those in copy, else
        the partner). Confidential contacts only for users who may see
        them."""
        if not partners:
            return partners
        if not (self.function_patterns or self.document_type_id):
            generic = self.env.ref("reminder_automation.document_type_generic")
            routes = partners._reminder_route(generic).values()
            recipients = partners.browse().union(
                *(route.to | route.cc for route in routes if not route.error)
            )
        else:
            recipients = self._contacts_matching(partners)
        return recipients._reminder_visible().filtered("email_normalized")

    def _contacts_matching(self, partners):
        """The partners and their contacts whose function matches the
        patterns and who are subscribed to the document type, as superuser
        (routing reads contacts alike for everyone)."""
        domain = (
            Domain("id", "in", partners.ids) | Domain("parent_id", "in", partners.ids)
        ) & partners.browse()._reminder_company_domain()
        if self.document_type_id:
            domain &= Domain("reminder_document_type_ids", "in", self.document_type_id.ids) | Domain(
                "reminder_cc_document_type_ids", "in", self.document_type_id.ids
            )
        contacts = partners.sudo().search_fetch(
            domain, ["function", "email_normalized", "reminder_confidential"]
        )
        if regex := compile_function_patterns(self.function_patterns):
            contacts = contacts.filtered(lambda c: c.function and regex.match(_fold(c.function)))
        return contacts

    # ------------------------------------------------------------------
    # Action
    # ------------------------------------------------------------------

    def action_prepare(self):
        """A dispatch batch of the generic document, one line per recipient,
        to review and send; nothing is sent yet."""
        self.ensure_one()
        recipients = self._recipients(self._partners())
        if not recipients:
            raise UserError(self.env._("No recipient matches the filters: widen them."))
        generic = self.env.ref("reminder_automation.document_type_generic")
        Batch = self.env["reminder.dispatch.batch"]
        Batch._check_dispatch_rights(generic)
        batch = Batch.create(
            {
                "company_id": self.company_id.id,
                "document_type_ids": [fields.Command.set(generic.ids)],
                "subject": self.subject,
                "body_html": self.body_html,
            }
        )
        self.attachment_ids.sudo().write({"res_model": batch._name, "res_id": batch.id})
        batch.attachment_ids = self.attachment_ids
        lines = batch._insert_lines(
            [
                {
                    "type": generic.id,
                    "model": None,
                    "res_id": None,
                    "partner": recipient.id,
                    "name": self.subject,
                }
                for recipient in recipients
            ]
        )
        lines.sudo().attachment_ids = self.attachment_ids
        lines._reminder_resolve_recipients()
        batch._write_state("prepared")
        return {
            "type": "ir.actions.act_window",
            "res_model": batch._name,
            "res_id": batch.id,
            "view_mode": "form",
        }
