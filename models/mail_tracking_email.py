import smtplib

from odoo import fields, models

# The tracking states of a copy that can only raise its reminder's state
# (to the same state).
RAISING_STATES = ("sent", "delivered", "opened")


def smtp_reply(error):
    """``(code, text)`` of the SMTP reply behind ``error`` (Odoo wraps
    smtplib's errors in a MailDeliveryException), or ``(0, "")``. Of a
    refusal of several recipients, the highest code: one final refusal
    makes the whole final."""
    while error is not None:
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            replies = sorted(
                (code, address, message) for address, (code, message) in error.recipients.items()
            )
            text = "; ".join(
                f"{address}: {code} {message.decode(errors='replace')}" for code, address, message in replies
            )
            return replies[-1][0], text
        if isinstance(error, smtplib.SMTPResponseException):
            message = error.smtp_error
            if isinstance(message, bytes):
                message = message.decode(errors="replace")
            return error.smtp_code, f"{error.smtp_code} {message}"
        error = error.__cause__ or error.__context__
    return 0, ""


class MailTrackingEmail(models.Model):
    _inherit = "mail.tracking.email"

    reminder_customer_copy = fields.Boolean(
        readonly=True,
        help="The copy of a reminder sent to one of the customer's recipients (not a staff copy): "
        "its delivery and opening are the reminder's.",
    )
    reminder_smtp_code = fields.Integer(
        string="SMTP Reply Code",
        readonly=True,
        help="The code with which the mail server refused a reminder: 4xx is retried, 5xx is final.",
    )

    def write(self, vals):
        """A reminder's state follows its customer copies' tracking. Other
        mail pays nothing: the flag is read from the record already loaded."""
        result = super().write(vals)
        if "state" in vals:
            customer_copies = self.filtered("reminder_customer_copy")
            if vals["state"] in RAISING_STATES:
                customer_copies._reminder_raise_sendings(vals["state"])
            else:
                customer_copies._reminder_refresh_sendings()
        return result

    def smtp_error(self, mail_server, smtp_server, exception):
        """Keep the server's own reply of a refused reminder: its code
        decides a retry, its text is what the reminder shows."""
        result = super().smtp_error(mail_server, smtp_server, exception)
        code, text = smtp_reply(exception)
        if code and self.mail_id.reminder_shared_headers:
            self.sudo().write({"reminder_smtp_code": code, "error_description": text})
        return result

    def _reminder_raise_sendings(self, state):
        """A copy was sent, delivered or opened, which can only raise its
        reminder's state: one UPDATE per engine, where a recomputation from
        all the copies cost five queries per mail sent; none for the other
        copies of a mail once one raised it in this transaction (a
        recomputation always keeps at least the state a copy raised)."""
        # the data of the pre-commit callbacks lives as long as the transaction
        done = self.env.cr.precommit.data.setdefault("reminder_raised_states", set())
        message_ids = [msg_id for msg_id in self.mail_message_id.ids if (msg_id, state) not in done]
        if not message_ids:
            return  # another copy of the same mail raised it already
        done.update((msg_id, state) for msg_id in message_ids)
        for model in self.env["reminder.sending.mixin"]._reminder_sending_models():
            model._reminder_raise_state(message_ids, state)

    def _reminder_refresh_sendings(self):
        for sendings in self.env["reminder.sending.mixin"]._reminder_sendings_of(self.mail_message_id):
            self.env.add_to_compute(sendings._fields["state"], sendings)
