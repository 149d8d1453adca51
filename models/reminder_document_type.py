from odoo import fields, models


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
