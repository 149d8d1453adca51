from email.utils import COMMASPACE

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize_all, formataddr
from odoo.tools.mail import email_split_and_format_normalize


class MailMail(models.Model):
    _inherit = "mail.mail"

    reminder_is_pec = fields.Boolean(
        string="Certified E-mail (PEC)",
        readonly=True,
        help="Sent only to PEC addresses, only through the PEC mail server.",
    )
    reminder_shared_headers = fields.Boolean(
        string="One Copy Each, All Recipients Shown",
        readonly=True,
        help="Each recipient receives its own copy (its own tracking), and every copy shows "
        "the same To (the routed contacts) and Cc (the copies), so that reply-all reaches them all.",
    )

    def _filter_mail_mail_servers(self, mail_servers):
        """PEC mail may use PEC servers only; ordinary mail never uses them.
        Odoo calls this on whole batches: a batch mixing both has no server."""
        allowed = super()._filter_mail_mail_servers(mail_servers)
        pec_flags = set(self.mapped("reminder_is_pec"))
        if len(pec_flags) > 1:
            return allowed.browse()
        is_pec = pec_flags == {True}
        return allowed.filtered(lambda server: server.reminder_is_pec == is_pec)

    def _prepare_outgoing_list(self, mail_server=False, doc_to_followers=None):
        """Odoo sends one copy per recipient partner showing only that
        partner, and the Cc copy with an empty To. A reminder keeps one copy
        per recipient (each delivered to its own address only, each with its
        own tracking) but every copy shows the same To and Cc headers."""
        emails = super()._prepare_outgoing_list(mail_server=mail_server, doc_to_followers=doc_to_followers)
        if self.reminder_shared_headers:
            to_header = [
                formataddr((partner.name or "", email))
                for partner in self.recipient_ids
                for email in email_normalize_all(partner.email)
            ] + email_split_and_format_normalize(self.email_to or "")
            cc_header = email_split_and_format_normalize(self.email_cc or "")
            for email in emails:
                email.update(email_to=to_header, email_cc=cc_header)
        return emails

    def _tracking_email_prepare(self, email):
        """Name the recipients of the copies' tracking (Odoo leaves it empty
        for the Cc copy) and tell the customer's copies from the staff's:
        only the former make a reminder delivered or opened."""
        values = super()._tracking_email_prepare(email)
        if self.reminder_shared_headers:
            values["reminder_customer_copy"] = bool(email.get("partner_id") or email.get("email_to"))
            values["recipient"] = values["recipient"] or COMMASPACE.join(email.get("email_cc") or [])
        return values

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
