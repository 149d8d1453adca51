from datetime import timedelta
from email.utils import COMMASPACE

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize_all, format_datetime, formataddr
from odoo.tools.mail import email_split_and_format_normalize

# Minutes before each new try of a reminder a mail server refused for now
# (4xx): about three hours in all, then the refusal is final.
SMTP_RETRY_DELAYS = (5, 15, 45, 135)
TRACKING_SENT_STATES = ("sent", "delivered", "opened")


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
    email_bcc = fields.Char(
        string="Bcc",
        readonly=True,
        help="Blind copies: in the SMTP envelope of the first copy only, never in a header.",
    )
    reminder_retry_count = fields.Integer(
        string="SMTP Retries",
        readonly=True,
        copy=False,
        help="Times a reminder was queued again after a temporary refusal (4xx) of the mail server.",
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
            if not self.recipient_ids and self.email_to and cc_header and not self.reminder_is_pec:
                emails = self._reminder_split_copies(emails)
            for email in emails:
                email.update(email_to=to_header, email_cc=cc_header)
            if self.reminder_retry_count:
                emails = self._reminder_unsent_copies(emails)
        if self.email_bcc and emails:
            emails[0] = self._reminder_add_bcc(emails[0])
        return emails

    def _reminder_add_bcc(self, email):
        """The blind copies go with one copy only (once each): as its Bcc
        header, which ir.mail_server turns into envelope recipients and
        removes before sending."""
        bcc = email_normalize_all(self.email_bcc)
        return dict(
            email,
            headers={**email["headers"], "Bcc": ", ".join(bcc)},
            email_to_normalized=[*email["email_to_normalized"], *bcc] if email["email_to_normalized"] else [],
        )

    def _reminder_split_copies(self, emails):
        """One e-mail to all the customer's contacts: Odoo sends the Cc in
        the same message; the copies get a message of their own, without
        the tracking pixel, so that their opening is never the customer's."""
        customer, *others = emails
        copies = email_normalize_all(self.email_cc)
        staff = dict(
            customer,
            body=self.env["ir.mail_server"]._tracking_img_remove(customer["body"]),
            # mail_tracking writes its header in the headers of the message it sends
            headers=dict(customer["headers"]),
            email_to_normalized=copies,
            partner_id=False,
        )
        customer["email_to_normalized"] = [e for e in customer["email_to_normalized"] if e not in copies]
        return [customer, staff, *others]

    def _reminder_unsent_copies(self, emails):
        """On a retry, the copies an earlier try handed over are not sent
        again; their new tracking is dropped."""
        Tracking = self.env["mail.tracking.email"].sudo()
        new_trackings = Tracking.browse(
            int(self.env["ir.mail_server"]._tracking_email_id_body_get(email["body"]) or 0)
            for email in emails
        )
        sent = Tracking.search(
            [
                ("mail_id", "=", self.id),
                ("state", "in", TRACKING_SENT_STATES),
                ("id", "not in", new_trackings.ids),
            ]
        )
        sent_to = {frozenset(email_normalize_all(tracking.recipient)) for tracking in sent}
        unsent = []
        for email, tracking in zip(emails, new_trackings, strict=True):
            if frozenset(email["email_to_normalized"]) in sent_to:
                tracking.unlink()
            else:
                unsent.append(email)
        return unsent

    def _tracking_email_prepare(self, email):
        """Name the recipients of the copies' tracking (Odoo leaves it empty
        for the Cc copy) and tell the customer's copies from the staff's:
        only the former make a reminder delivered or opened."""
        values = super()._tracking_email_prepare(email)
        if self.reminder_shared_headers:
            values["reminder_customer_copy"] = bool(email.get("partner_id") or email.get("email_to"))
            values["recipient"] = values["recipient"] or COMMASPACE.join(email.get("email_cc") or [])
        return values

    def _postprocess_sent_message(
        self, success_pids, success_emails, failure_reason=False, failure_type=None
    ):
        """A reminder the mail server refused for now (4xx) is queued again
        later, a few times; any other failure is final and the reminder's
        error. Either way the reminder shows the server's reply."""
        reminders = self.filtered("reminder_shared_headers")
        if failure_type:
            reminders.filtered(lambda mail: mail.state == "exception")._reminder_delivery_failed()
        else:
            retried = reminders.filtered(lambda mail: mail.state == "sent" and mail.reminder_retry_count)
            for sendings in self.env["reminder.sending.mixin"]._reminder_sendings_of(retried.mail_message_id):
                sendings.error_message = False
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )

    def _reminder_delivery_failed(self):
        Tracking = self.env["mail.tracking.email"].sudo()
        failed_copies = Tracking.search(
            [("mail_id", "in", self.ids), ("state", "=", "error")], order="id desc"
        )
        last_failed_copy = {}
        for tracking in failed_copies:
            last_failed_copy.setdefault(tracking.mail_id, tracking)
        for mail in self:
            failed_copy = last_failed_copy.get(mail, Tracking)
            reason = failed_copy.error_description or mail.failure_reason
            transient = 400 <= failed_copy.reminder_smtp_code < 500
            if transient and mail.reminder_retry_count < len(SMTP_RETRY_DELAYS):
                mail._reminder_retry_later(failed_copy, reason)
                continue
            if transient:
                message = self.env._(
                    "Refused by the mail server, %(count)s tries: %(reason)s",
                    count=mail.reminder_retry_count + 1,
                    reason=reason,
                )
            else:
                message = self.env._("Refused by the mail server: %(reason)s", reason=reason)
            for sendings in self.env["reminder.sending.mixin"]._reminder_sendings_of(mail.mail_message_id):
                sendings._reminder_set_error(message)

    def _reminder_retry_later(self, failed_copy, reason):
        """Queue the mail again after its back-off delay; the refused copy
        is deferred, and the copies this try never reached are untracked
        (the next try tracks them anew)."""
        self.ensure_one()
        delay = SMTP_RETRY_DELAYS[self.reminder_retry_count]
        scheduled = fields.Datetime.now() + timedelta(minutes=delay)
        self.write(
            {
                "state": "outgoing",
                "scheduled_date": scheduled,
                "reminder_retry_count": self.reminder_retry_count + 1,
            }
        )
        failed_copy.state = "deferred"
        self.env["mail.tracking.email"].sudo().search(
            [("mail_id", "=", self.id), ("state", "=", False)]
        ).unlink()
        message = self.env._(
            "Refused for now by the mail server, retry %(retry)s of %(max)s at %(date)s: %(reason)s",
            retry=self.reminder_retry_count,
            max=len(SMTP_RETRY_DELAYS),
            date=format_datetime(self.env, scheduled),
            reason=reason,
        )
        for sendings in self.env["reminder.sending.mixin"]._reminder_sendings_of(self.mail_message_id):
            sendings.error_message = message

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
