from odoo import api, fields, models
from odoo.exceptions import UserError


class IrMailServer(models.Model):
    _inherit = "ir.mail_server"

    reminder_is_pec = fields.Boolean(
        string="Certified E-mail (PEC)",
        help="Certified mail (Italian PEC) goes only through this server, and ordinary mail never does.",
    )

    def _find_mail_server_allowed_domain(self):
        return super()._find_mail_server_allowed_domain() & fields.Domain("reminder_is_pec", "=", False)

    @api.model
    def _reminder_pec_servers(self):
        """The PEC servers, the one certified mail goes through first."""
        return self.sudo().search([("reminder_is_pec", "=", True)], order="sequence, id")

    @api.model
    def _reminder_pec_server(self):
        server = self._reminder_pec_servers()[:1]
        if not server:
            raise UserError(
                self.env._(
                    "No outgoing mail server is marked as Certified E-mail (PEC): "
                    "configure one in Settings > Technical > Outgoing Mail Servers."
                )
            )
        return server
