"""A real SMTP server on the loopback interface for the delivery tests:
Odoo connects to it, speaks SMTP and the tests read what arrived, as a
mail client would."""

import logging
import socket
from email import message_from_bytes, policy
from email.utils import getaddresses
from unittest.mock import patch

from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO
logging.getLogger("mail.log").setLevel(logging.WARNING)


class ReceivedMessage:
    """One message as it arrived: the SMTP envelope and the parsed e-mail."""

    def __init__(self, envelope):
        self.mail_from = envelope.mail_from
        self.rcpt_tos = [address.lower() for address in envelope.rcpt_tos]
        self.message = message_from_bytes(envelope.original_content, policy=policy.default)

    def addresses(self, header):
        return [address.lower() for _name, address in getaddresses(self.message.get_all(header, []))]

    @property
    def subject(self):
        return self.message["Subject"]

    def html(self):
        return self.message.get_body(("html",)).get_content()

    def attachments(self):
        """``[(file name, content type, bytes)]``."""
        return [
            (part.get_filename(), part.get_content_type(), part.get_content())
            for part in self.message.iter_attachments()
        ]


class _Collector:
    def __init__(self):
        self.messages = []
        self.refusals = {}  # address: [SMTP reply, times left (None: always)]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        refusal = self.refusals.get(address.lower())
        if refusal:
            reply, times = refusal
            if times is not None:
                refusal[1] -= 1
                if refusal[1] <= 0:
                    del self.refusals[address.lower()]
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(ReceivedMessage(envelope))
        return "250 Message accepted for delivery"


class LoopbackSMTPServer:
    """Start with ``start()``, read ``messages``, ``clear()`` between steps."""

    def __init__(self):
        self._collector = _Collector()
        self.port = self._free_port()
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)

    @staticmethod
    def _free_port():
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    @property
    def messages(self):
        return self._collector.messages

    def clear(self):
        self._collector.messages.clear()
        self._collector.refusals.clear()

    def refuse(self, address, reply, times=None):
        """Answer ``reply`` (e.g. "451 4.3.0 Try again later") to RCPT TO
        ``address``, the next ``times`` times or always."""
        self._collector.refusals[address.lower()] = [reply, times]

    def start(self):
        self._controller.start()

    def stop(self):
        self._controller.stop()


def enable_smtp_in_tests(env):
    """Odoo never opens an SMTP connection while a test runs; this patch
    (to be started by the test class) lets it."""
    return patch.object(type(env["ir.mail_server"]), "_disable_send", classmethod(lambda cls: False))
