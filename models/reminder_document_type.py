from odoo import api, fields, models

# The types Odoo's Send buttons route, and which documents of their model
# each one is.
SEND_DOMAINS = {
    "invoice": [("move_type", "=", "out_invoice")],
    "credit_note": [("move_type", "=", "out_refund")],
    "quotation": [("state", "in", ("draft", "sent"))],
    "sale_order": [("state", "=", "sale")],
    "purchase_order": [],
    "delivery_slip": [("picking_type_code", "=", "outgoing")],
    "goods_receipt": [("picking_type_code", "=", "incoming")],
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

    _code_unique = models.Constraint("UNIQUE(code)", "A document type with this code already exists.")

    # ------------------------------------------------------------------
    # Odoo's Send buttons (SPEC 1.3)
    # ------------------------------------------------------------------

    @api.model
    def _reminder_types_of(self, documents):
        """``{document id: type}`` for ``documents`` (records of one model):
        the first type of their model whose documents they are."""
        types = {}
        for doc_type in self.search(
            [("res_model", "=", documents._name), ("code", "in", list(SEND_DOMAINS))]
        ):
            matching = documents.browse(set(documents.ids) - types.keys()).filtered_domain(
                SEND_DOMAINS[doc_type.code]
            )
            types.update(dict.fromkeys(matching.ids, doc_type))
        return types

    @api.model
    def _reminder_send_routes(self, documents):
        """``{document id: (type, RecipientRoute)}`` of ``documents`` as Odoo's
        Send buttons e-mail them: routed for the document's customer and
        type, in the document's company. Documents of no type are left out."""
        types = self._reminder_types_of(documents)
        has_company = "company_id" in documents._fields
        routes = {}
        by_type = documents.filtered(lambda d: d.id in types).grouped(
            lambda d: (types[d.id], d.company_id if has_company else d.env.company)
        )
        for (doc_type, company), docs in by_type.items():
            customers = docs.partner_id.commercial_partner_id.with_company(company)
            routed = customers._reminder_route(doc_type)
            for doc in docs:
                routes[doc.id] = (doc_type, routed[doc.partner_id.commercial_partner_id.id])
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
