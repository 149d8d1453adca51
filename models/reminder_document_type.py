from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools.safe_eval import safe_eval

# How the shipped types map to Odoo documents, set by _reminder_map_documents
# once their model is installed: the module does not depend on Sales,
# Purchase or Inventory, whose types wait without a mapping until then.
INVOICE_MAPPING = {
    "partner_field": "commercial_partner_id",
    "date_field": "invoice_date",
    "pdf_field": "invoice_pdf_report_id",
    "report": "account.account_invoices",
}
DOCUMENT_MAPPINGS = {
    "invoice": {
        **INVOICE_MAPPING,
        "document_domain": "[('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]",
    },
    "credit_note": {
        **INVOICE_MAPPING,
        "document_domain": "[('move_type', '=', 'out_refund'), ('state', '=', 'posted')]",
    },
    "payment_advice": {
        "partner_field": "partner_id",
        "date_field": "date",
        "document_domain": "[('payment_type', '=', 'outbound'), ('state', 'in', ('in_process', 'paid'))]",
        "report": "account.action_report_payment_receipt",
    },
    "quotation": {
        "partner_field": "partner_id",
        "date_field": "date_order",
        "document_domain": "[('state', 'in', ('draft', 'sent'))]",
        "report": "sale.action_report_saleorder",
    },
    "sale_order": {
        "partner_field": "partner_id",
        "date_field": "date_order",
        "document_domain": "[('state', '=', 'sale')]",
        "report": "sale.action_report_saleorder",
    },
    "purchase_order": {
        "partner_field": "partner_id",
        "date_field": "date_approve",
        "document_domain": "[('state', '=', 'purchase')]",
        "report": "purchase.action_report_purchase_order",
    },
    "delivery_slip": {
        "partner_field": "partner_id",
        "date_field": "date_done",
        "document_domain": "[('picking_type_code', '=', 'outgoing'), ('state', '=', 'done')]",
        "report": "stock.action_report_delivery",
    },
    "goods_receipt": {
        "partner_field": "partner_id",
        "date_field": "date_done",
        "document_domain": "[('picking_type_code', '=', 'incoming'), ('state', '=', 'done')]",
        "report": "stock.action_report_picking",
    },
    # the customers with open receivables in the batch's company; a
    # statement is of the day it is printed: no date selects it
    "account_statement": {
        "partner_field": "commercial_partner_id",
        "document_domain": "[('credit', '>', 0)]",
        "report": "reminder_automation.action_report_partner_statement",
    },
    # the letters the dunning runs printed, sent by e-mail as printed
    "dunning_letter": {
        "res_model": "reminder.dunning.communication",
        "partner_field": "partner_id",
        "date_field": "date_sent",
        "document_domain": "[('letter_attachment_id', '!=', False)]",
        "pdf_field": "letter_attachment_id",
        "report": "reminder_automation.action_report_dunning_letter",
    },
}


class ReminderDocumentType(models.Model):
    """A kind of business document a contact can subscribe to.

    Routing (``res.partner._reminder_route``) picks, per partner, the contacts
    subscribed to a type; every engine names the type of what it sends.
    """

    _name = "reminder.document.type"
    _description = "Reminder Document Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Technical key used by the engines, e.g. 'invoice' or 'dunning_letter'.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    res_model = fields.Char(
        string="Applies to Model",
        help="Technical name of the Odoo model the documents of this type are, "
        "e.g. account.move. Empty for generic documents.",
    )
    requires_pec = fields.Boolean(
        string="Requires Certified E-mail (PEC)",
        help="Documents of this type are sent only to PEC addresses, only through "
        "the outgoing mail server marked as PEC.",
    )
    description = fields.Text(translate=True)
    subscriber_ids = fields.Many2many(
        "res.partner",
        "reminder_document_type_partner_to_rel",
        "document_type_id",
        "partner_id",
        string="Recipients",
        help="Contacts who receive documents of this type.",
    )
    cc_subscriber_ids = fields.Many2many(
        "res.partner",
        "reminder_document_type_partner_cc_rel",
        "document_type_id",
        "partner_id",
        string="In Copy",
        help="Contacts who receive documents of this type in copy.",
    )

    # Dispatch: which documents of res_model this type sends, printed how
    partner_field = fields.Char(
        help="Field of the document giving the customer or vendor it is sent to, e.g. partner_id.",
    )
    date_field = fields.Char(
        help="Date field of the document by which batches select it, e.g. invoice_date.",
    )
    document_domain = fields.Char(
        string="Qualifying Documents",
        default="[]",
        help="Only the documents matching this domain are dispatched, e.g. posted customer invoices.",
    )
    report_id = fields.Many2one(
        "ir.actions.report",
        string="Report",
        domain="[('model', '=', res_model)]",
        ondelete="set null",
        help="Prints the PDF attached to each document's e-mail.",
    )
    pdf_field = fields.Char(
        string="Stored PDF Field",
        help="Field of the document holding the PDF Odoo keeps of it (e.g. invoice_pdf_report_id of "
        "invoices): used instead of printing the report again.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'reminder.dispatch.line')]",
        help="Subject and body of the e-mail, in the language of the partner.",
    )
    dispatch_daily = fields.Boolean(
        string="Dispatch Every Day",
        help="The scheduled action sends every evening the documents of this type dated the day before.",
    )
    dispatch_user_ids = fields.Many2many(
        "res.users",
        "reminder_document_type_dispatch_user_rel",
        "document_type_id",
        "user_id",
        string="Allowed Users",
        help="Users who may see and send dispatch lines of this type. With no user nor group, "
        "every Reminder Automation user may.",
    )
    dispatch_group_ids = fields.Many2many(
        "res.groups",
        "reminder_document_type_dispatch_group_rel",
        "document_type_id",
        "group_id",
        string="Allowed Groups",
        help="Members of these groups may see and send dispatch lines of this type.",
    )
    dispatchable = fields.Boolean(
        compute="_compute_dispatchable",
        search="_search_dispatchable",
        help="Its model is installed and says which partner documents go to.",
    )

    _code_unique = models.Constraint("UNIQUE(code)", "A document type with this code already exists.")

    def _installed_models(self):
        return [name for name in self.env.registry if not self.env[name]._abstract]

    @api.depends("res_model", "partner_field")
    def _compute_dispatchable(self):
        for doc_type in self:
            doc_type.dispatchable = bool(doc_type.partner_field and doc_type.res_model in self.env)

    def _search_dispatchable(self, operator, value):
        if operator != "in":
            return NotImplemented
        domain = Domain("partner_field", "!=", False) & Domain("res_model", "in", self._installed_models())
        return domain if True in value else ~domain

    @api.constrains("res_model", "partner_field", "date_field", "document_domain", "pdf_field")
    def _check_dispatch_mapping(self):
        """The mapping names fields of its model: checked when the model is
        installed (the type of an app not installed waits for it)."""
        _ = self.env._
        for doc_type in self.filtered(lambda t: t.res_model in self.env):
            model = self.env[doc_type.res_model]
            for fname, expected in (("partner_field", "res.partner"), ("pdf_field", "ir.attachment")):
                field = model._fields.get(doc_type[fname]) if doc_type[fname] else None
                if doc_type[fname] and (not field or field.comodel_name != expected):
                    raise ValidationError(
                        _(
                            "%(field)s of %(type)s: %(model)s has no field %(name)s linking to %(comodel)s.",
                            field=self._fields[fname].string,
                            type=doc_type.name,
                            model=doc_type.res_model,
                            name=doc_type[fname],
                            comodel=expected,
                        )
                    )
            date = model._fields.get(doc_type.date_field) if doc_type.date_field else None
            if doc_type.date_field and (not date or date.type not in ("date", "datetime")):
                raise ValidationError(
                    _(
                        "Date Field of %(type)s: %(model)s has no date field %(name)s.",
                        type=doc_type.name,
                        model=doc_type.res_model,
                        name=doc_type.date_field,
                    )
                )
            try:
                model.search_count(doc_type._dispatch_domain(), limit=1)
            except Exception as error:  # noqa: BLE001 - any error makes the domain invalid
                raise ValidationError(
                    _(
                        "Qualifying Documents of %(type)s is not a valid domain: %(error)s",
                        type=doc_type.name,
                        error=error,
                    )
                ) from error

    def _dispatch_domain(self):
        self.ensure_one()
        return Domain(safe_eval(self.document_domain or "[]"))

    def _dispatch_allowed(self, user=None):
        """Whether ``user`` (the current one by default) may send documents
        of every type of ``self``: the record rules of dispatch lines say
        the same."""
        user = user or self.env.user
        if user._is_superuser() or user.has_group("reminder_automation.group_reminder_manager"):
            return True
        groups = user.all_group_ids
        return all(
            (not t.dispatch_user_ids and not t.dispatch_group_ids)
            or user in t.dispatch_user_ids
            or t.dispatch_group_ids & groups
            for t in self.sudo()
        )

    def _register_hook(self):
        super()._register_hook()
        self._reminder_map_documents()

    @api.model
    def _reminder_map_documents(self):
        """Map the shipped types whose model is installed (``DOCUMENT_MAPPINGS``)
        and that have no mapping yet (no Partner Field): at install, when
        Sales, Purchase or Inventory is installed later, and on databases
        older than the mapping. Cheap at every start of the server: the
        xmlids are cached, the types read in one query."""
        IrModelData = self.env["ir.model.data"]
        codes = {
            IrModelData._xmlid_to_res_id(
                f"reminder_automation.document_type_{code}", raise_if_not_found=False
            ): code
            for code in DOCUMENT_MAPPINGS
        }
        for doc_type in self.sudo().with_context(active_test=False).browse(filter(None, codes)):
            mapping = DOCUMENT_MAPPINGS[codes[doc_type.id]]
            if doc_type.partner_field or mapping.get("res_model", doc_type.res_model) not in self.env:
                continue
            report = self.env.ref(mapping["report"], raise_if_not_found=False)
            template = self.env.ref(
                f"reminder_automation.mail_template_dispatch_{codes[doc_type.id]}", raise_if_not_found=False
            )
            doc_type.write(
                {
                    **{key: value for key, value in mapping.items() if key != "report"},
                    "report_id": report.id if report else False,
                    "mail_template_id": template.id if template else False,
                }
            )

    # ------------------------------------------------------------------
    # Odoo's Send buttons (SPEC 1.3)
    # ------------------------------------------------------------------

    @api.model
    def _reminder_types_of(self, documents):
        """``{document id: type}`` for ``documents`` (records of one model):
        the first type of their model whose qualifying documents they are.
        Types of partners (statements, letters) are about a partner, not a
        document a Send button sends."""
        types = {}
        if documents._name == "res.partner":
            return types
        for doc_type in self.search([("res_model", "=", documents._name), ("partner_field", "!=", False)]):
            matching = documents.browse(set(documents.ids) - types.keys()).filtered_domain(
                doc_type._dispatch_domain()
            )
            types.update(dict.fromkeys(matching.ids, doc_type))
        return types

    @api.model
    def _reminder_send_routes(self, documents):
        """``{document id: (type, RecipientRoute)}`` of ``documents`` as Odoo's
        Send buttons e-mail them: routed for the customer (or vendor) of the
        type's Partner Field, in the document's company. Documents of no
        type are left out."""
        types = self._reminder_types_of(documents)
        has_company = "company_id" in documents._fields
        routes = {}
        by_type = documents.filtered(lambda d: d.id in types).grouped(
            lambda d: (types[d.id], d.company_id if has_company else d.env.company)
        )
        for (doc_type, company), docs in by_type.items():
            partners = docs[doc_type.partner_field].commercial_partner_id.with_company(company)
            routed = partners._reminder_route(doc_type)
            for doc in docs:
                if partner := doc[doc_type.partner_field].commercial_partner_id:
                    routes[doc.id] = (doc_type, routed[partner.id])
        return routes

    @api.model
    def _reminder_send_recipients(self, document, chosen):
        """The recipients of ``document`` that Odoo's Send buttons propose:
        the contacts subscribed to its type, else ``chosen`` (Odoo's choice),
        and the contacts "In Copy Of"; None when no contact subscribed, so
        that Odoo's choice stays. Superuser records: confidential contacts
        included."""
        doc_type, route = self._reminder_send_routes(document).get(document.id, (None, None))
        if not doc_type:
            return None
        subscribed = route.to.filtered(lambda c: doc_type in c.reminder_document_type_ids)
        if subscribed or route.cc:
            return (subscribed or chosen.sudo()) | route.cc
        return None

    @api.model
    def _reminder_send_proposal(self, document, chosen):
        """The recipients the Send wizard of ``document`` shows: the routed
        ones the user may see (see ``_reminder_send_hidden``)."""
        routed = self._reminder_send_recipients(document, chosen)
        return chosen if routed is None else routed._reminder_visible()

    @api.model
    def _reminder_send_hidden(self, document, chosen):
        """The routed recipients of ``document`` the user may not see, added
        when sending: the same recipients whoever sends."""
        routed = self._reminder_send_recipients(document, chosen)
        if routed is None:
            return self.env["res.partner"]
        return routed - routed._reminder_visible()
