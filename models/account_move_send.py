from odoo import api, models
from odoo.exceptions import UserError


class AccountMoveSend(models.AbstractModel):
    """Odoo's Send of invoices and credit notes, routed (SPEC 1.3): the
    contacts subscribed to the document's type and those in copy, the PEC
    address through the PEC server when the type requires certified mail."""

    _inherit = "account.move.send"

    @api.model
    def _get_default_mail_partner_ids(self, move, mail_template, mail_lang):
        partners = super()._get_default_mail_partner_ids(move, mail_template, mail_lang)
        return self.env["reminder.document.type"]._reminder_send_proposal(move, partners)

    @api.model
    def _get_mail_params(self, move, move_data):
        params = super()._get_mail_params(move, move_data)
        chosen = self.env["res.partner"].browse(params["partner_ids"])
        hidden = self.env["reminder.document.type"]._reminder_send_hidden(move, chosen)
        params["partner_ids"] = list(dict.fromkeys(params["partner_ids"] + hidden.ids))
        return params

    @api.model
    def _send_mail(self, move, mail_template, **kwargs):
        """Certified mail is not a notification: it goes to the PEC address
        only, through the PEC server, with the wizard's subject and body."""
        doc_type, route = (
            self.env["reminder.document.type"]._reminder_send_routes(move).get(move.id, (None, None))
        )
        if not (doc_type and doc_type.requires_pec):
            return super()._send_mail(move, mail_template, **kwargs)
        if route.error:
            raise UserError(route.error)
        return move._reminder_send_by_email(route, subject=kwargs.get("subject"), body=kwargs.get("body"))
