# Copyright 2026 reminder_automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A local SMTP server for the delivery benchmark (bench/bench_dunning.py).

The idea of ``tests/loopback_smtp.py`` (aiosmtpd on 127.0.0.1, a free port),
in a process of its own: receiving and parsing the messages does not compete
with Odoo for its interpreter lock, as with a real mail server. Driven
through stdin/stdout, one line each way:

    (started)  -> {"port": 41234}
    stats      -> {"messages": ..., "recipients": ..., "bytes": ..., "first": ...,
                   "last": ..., "message_ids": ..., "inconsistent_headers": ...}
    clear      -> {"cleared": true}
    quit       -> (exits)

``first`` and ``last`` are ``time.time()`` when the first and the last
message were accepted. ``message_ids`` counts the distinct ``Message-Id``
headers (one per ``mail.mail``: its copies share it), and
``inconsistent_headers`` the ``Message-Id`` whose copies do not all show the
same ``To`` and ``Cc``.
"""

import json
import socket
import sys
import time
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self):
        self.clear()
        self.parser = BytesHeaderParser()

    def clear(self):
        self.messages = self.recipients = self.bytes = 0
        self.first = self.last = None
        self.headers = {}  # Message-Id -> set of (To, Cc)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        now = time.time()
        headers = self.parser.parsebytes(envelope.original_content)
        self.headers.setdefault(headers["Message-Id"], set()).add((headers["To"], headers["Cc"]))
        self.messages += 1
        self.recipients += len(envelope.rcpt_tos)
        self.bytes += len(envelope.original_content)
        self.first = self.first or now
        self.last = now
        return "250 Message accepted for delivery"

    def stats(self):
        return {
            "messages": self.messages,
            "recipients": self.recipients,
            "bytes": self.bytes,
            "first": self.first,
            "last": self.last,
            "message_ids": len(self.headers),
            "inconsistent_headers": sum(1 for shown in list(self.headers.values()) if len(shown) > 1),
        }


def main():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    # data_size_limit=0: no size limit; many messages in one session
    controller = Controller(sink, hostname="127.0.0.1", port=port, data_size_limit=0)
    controller.start()
    print(json.dumps({"port": port}), flush=True)
    try:
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                print(json.dumps(sink.stats()), flush=True)
            elif command == "clear":
                sink.clear()
                print(json.dumps({"cleared": True}), flush=True)
            elif command == "quit":
                break
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
