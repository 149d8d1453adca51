from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize_all


class MailMail(models.Model):
    _inherit = "mail.mail"

    reminder_is_pec = fields.Boolean(
        string="Certified E-mail (PEC)",
        readonly=True,
        help="Sent only to PEC addresses, only through the PEC mail server.",
    )

    def _filter_mail_mail_servers(self, mail_servers):
        """PEC mail may use PEC servers only; ordinary mail never uses them."""
        allowed = super()._filter_mail_mail_servers(mail_servers)
        return allowed.filtered(lambda server: server.reminder_is_pec == self.reminder_is_pec)

    @api.constrains("mail_message_id", "mail_server_id", "reminder_is_pec")
    def _check_mail_server_id(self):
        for mail in self:
            if mail.reminder_is_pec and not mail.mail_server_id.reminder_is_pec:
                raise ValidationError(
                    self.env._("A certified (PEC) e-mail must be sent through a PEC mail server.")
                )
            if not mail.reminder_is_pec and mail.mail_server_id.reminder_is_pec:
                raise ValidationError(
                    self.env._("Only certified (PEC) e-mails may be sent through a PEC mail server.")
                )
        return super()._check_mail_server_id()

    @api.constrains("reminder_is_pec", "recipient_ids", "email_to", "email_cc")
    def _check_reminder_pec_addresses(self):
        pec_mails = self.filtered("reminder_is_pec")
        addresses = {
            mail: set(email_normalize_all(f"{mail.email_to or ''},{mail.email_cc or ''}"))
            for mail in pec_mails
        }
        # one query for the whole batch of mails
        known = self._reminder_known_pec_addresses(set().union(*addresses.values()))
        for mail in pec_mails:
            not_pec = addresses[mail] - known
            if mail.recipient_ids or not addresses[mail] or not_pec:
                raise ValidationError(
                    self.env._(
                        "A certified (PEC) e-mail can only be addressed to PEC addresses, not to: %s",
                        ", ".join(sorted(not_pec) or mail.recipient_ids.mapped("email") or ["-"]),
                    )
                )

    @api.model
    def _reminder_known_pec_addresses(self, addresses):
        if not addresses:
            return set()
        domain = fields.Domain.OR(fields.Domain("pec_email", "=ilike", a) for a in addresses)
        partners = self.env["res.partner"].sudo().with_context(active_test=False).search(domain)
        return {email for pec in partners.mapped("pec_email") for email in email_normalize_all(pec)}
