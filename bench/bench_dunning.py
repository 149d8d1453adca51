# Copyright 2026 reminder_automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the dunning engine: prepare a run, queue its e-mails, deliver
them to an SMTP server, PDFs.

Runs inside Odoo, through ``odoo-bin shell``, on a database built by
``bench/run.sh`` (``bench/dunning.sh`` updates the module first, then runs it):

    python odoo-bin shell -c odoo.conf -d reminder_bench --no-http < bench/bench_dunning.py

On the company of the dataset it creates a dunning policy with three levels
(courtesy 3 days before the due date, firm 3 days after, final 60 days after,
repeated every 14 days; e-mail with the shipped templates
``mail_template_dunning_courtesy/firm/final``; contact functions
"Conta, Accounting, %Manage"; one communication per customer), makes it the
company's default policy, then measures, with ``time.perf_counter`` and the
cursor's query counter (``env.flush_all()`` inside every measured block):

1. **prepare**: ``run.create()`` + ``run.action_prepare()``, ``RA_BENCH_REPEAT``
   times (default 3; the run is cancelled between two), min and median;
2. **send without PDFs**: ``run.action_send()`` on the last prepared run,
   ``RA_BENCH_REPEAT`` times (rolled back to a savepoint between two), min
   and median: the ``mail.mail`` records are created and stay queued (nothing
   is delivered: delivery is the mail queue's job, measured apart);
3. **profiles**: one more preparation, and the same send again (after rolling
   back to a savepoint), under ``cProfile``: top 25 functions by own time and
   by cumulated time (``RA_BENCH_PROFILE=0`` skips them);
4. **delivery**, ``RA_BENCH_DELIVER_REPEAT`` times (default 1; rolled back
   in between; ``RA_BENCH_DELIVER=0`` skips it): the whole run again,
   prepare, send, then ``env["mail.mail"].process_email_queue()`` (called
   until nothing is outgoing: 1,000 mails a call by default,
   ``mail.mail.queue.batch.size``) through an ``ir.mail_server`` on
   127.0.0.1 to ``bench/smtp_sink.py``, a local SMTP server (aiosmtpd) in a
   process of its own, until it accepted the last message: time, queries,
   SMTP messages (one copy per recipient partner, one for the To/Cc
   addresses), ms and queries per message, and the whole run "prepare to the
   last message accepted". ``process_email_queue()`` commits after every
   mail: during the delivery a commit does everything but the ``COMMIT``
   (flush, precommit hooks, cache cleared), and the cost of a real
   ``COMMIT`` here (WAL flush) is measured apart and added for production.
   The time of the steps of the delivery is measured per method (``METERED``:
   Odoo's, mail_tracking's and ours, each inclusive, ours alone by
   difference) and, with ``RA_BENCH_PROFILE``, the delivery of
   ``RA_BENCH_DELIVER_PROFILE_MAILS`` mails (default 500, 0 for all) runs
   under ``cProfile``;
5. **send with invoice PDFs**: a second policy restricted by its Customers
   Filter to ``RA_BENCH_PDF_CUSTOMERS`` customers (default 20, i.e. 100
   invoices) whose firm and final levels attach the invoice PDFs: a run today
   (firm level: every PDF rendered once, wkhtmltopdf), then a run 61 days later
   (final level: the stored PDFs are reused, none rendered again). PDFs are
   counted twice: calls of ``ir.actions.report._run_wkhtmltopdf`` and new
   ``ir.attachment`` records of ``account.move.invoice_pdf_report_file``.
   ``report.url`` is set to ``http://127.0.0.1:9`` for the benchmark, so that
   wkhtmltopdf does not wait for an HTTP server that is not running.

Before each preparation the dunning tables are analysed (``ANALYZE``), as
autovacuum does after a committed run; the benchmark keeps all its runs in
one transaction, which autovacuum cannot see: ``RA_BENCH_ANALYZE=0`` shows
what happens without statistics (the "last line" lookup of
``_due_candidates_query`` degrades to a scan of all lines per invoice).
``RA_BENCH_PREPARE_ONLY=1`` measures only step 1 (for the 100,000-invoice
database). Everything is rolled back at the end (``env.cr.rollback()``): the
database can be benchmarked again. Timings depend on the machine's load: the
load average is printed with the figures.
"""

import cProfile
import functools
import io
import json
import os
import pstats
import smtplib
import statistics
import subprocess
import sys
import time
from datetime import timedelta

from odoo import Command, fields, tools
from odoo.modules.module import get_module_path
from odoo.orm import fields_textual
from odoo.sql_db import db_connect

env = globals()["env"]  # provided by ``odoo-bin shell``

REPEAT = int(os.environ.get("RA_BENCH_REPEAT") or 3)
PREPARE_ONLY = os.environ.get("RA_BENCH_PREPARE_ONLY") == "1"
PROFILE = os.environ.get("RA_BENCH_PROFILE", "1") != "0"
PDF_CUSTOMERS = int(os.environ.get("RA_BENCH_PDF_CUSTOMERS") or 20)
ANALYZE = os.environ.get("RA_BENCH_ANALYZE", "1") != "0"
DELIVER = os.environ.get("RA_BENCH_DELIVER", "1") != "0"
# the policies' E-mail Copies: per_contact (default) or one
EMAIL_COPIES = os.environ.get("RA_BENCH_EMAIL_COPIES") or "per_contact"
DELIVER_REPEAT = int(os.environ.get("RA_BENCH_DELIVER_REPEAT") or 1)
DELIVER_PROFILE_MAILS = int(os.environ.get("RA_BENCH_DELIVER_PROFILE_MAILS") or 500)
DUNNING_TABLES = ("reminder_dunning_line", "reminder_dunning_communication", "reminder_dunning_run")
PATTERNS = "Conta, Accounting, %Manage"
TEMPLATES = {
    "courtesy": "reminder_automation.mail_template_dunning_courtesy",
    "firm": "reminder_automation.mail_template_dunning_firm",
    "final": "reminder_automation.mail_template_dunning_final",
}
TABLE = []  # (step, time, queries, what)


def log(message, *args):
    print("[bench] " + (message % args if args else message), flush=True)


def loadavg():
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "?"


CPU = {}  # seconds of wall time -> CPU seconds of this process


def measure(function):
    """(seconds, queries, result) of ``function()`` followed by a flush,
    on a cold record cache. The CPU time of this process (Odoo, without
    PostgreSQL) is kept in ``CPU``: it hardly depends on the machine's load."""
    env.invalidate_all()
    queries = env.cr.sql_log_count
    cpu = time.process_time()
    start = time.perf_counter()
    result = function()
    env.flush_all()
    seconds = time.perf_counter() - start
    CPU[seconds] = time.process_time() - cpu
    return seconds, env.cr.sql_log_count - queries, result


def wall_cpu(seconds):
    return f"{seconds:.2f} s (CPU {CPU.get(seconds, 0):.2f})"


def row(step, seconds, queries, what):
    TABLE.append((step, wall_cpu(seconds), f"{queries:,}", what))
    log("%s: %s, %s queries; %s (load %s)", step, wall_cpu(seconds), f"{queries:,}", what, loadavg())


def make_policy(name, company, attach_invoices=False, partner_domain="[]"):
    def level(level_name, days, template, repeat=0):
        return Command.create(
            {
                "name": level_name,
                "days": days,
                "channel_email": True,
                "mail_template_id": env.ref(TEMPLATES[template]).id,
                "repeat_days": repeat,
                "attach_invoices": attach_invoices and days > 0,
            }
        )

    return env["reminder.dunning.policy"].create(
        {
            "name": name,
            "company_id": company.id,
            "schedule": "manual",
            "function_patterns": PATTERNS,
            "grouping": "partner",
            "email_copies": EMAIL_COPIES,
            "partner_domain": partner_domain,
            "level_ids": [
                level("Courtesy", -3, "courtesy"),
                level("Firm", 3, "firm"),
                level("Final", 60, "final", repeat=14),
            ],
        }
    )


def analyze():
    """What autovacuum does after a committed run: the benchmark keeps all its
    runs in one transaction, which autovacuum never sees."""
    if ANALYZE:
        env.flush_all()
        env.cr.execute("ANALYZE " + ", ".join(DUNNING_TABLES))


def prepare(policy, date):
    run = env["reminder.dunning.run"].create({"policy_id": policy.id, "date": date})
    run.action_prepare()
    return run


def counts(run):
    comms = run.communication_ids
    return len(comms), len(comms.line_ids)


def bench_prepare(policy, today):
    times, queries, run = [], [], None
    for index in range(REPEAT):
        if run:
            run.action_cancel()
        analyze()
        with Meter(PREPARE_METERED if index == REPEAT - 1 else []) as meter:
            seconds, count, run = measure(lambda: prepare(policy, today))
        comms, lines = counts(run)
        times.append(seconds)
        queries.append(count)
        log(
            "prepare #%d: %s, %d queries, %d communications, %d lines (load %s)",
            index + 1,
            wall_cpu(seconds),
            count,
            comms,
            lines,
            loadavg(),
        )
    log("prepare #%d, where the time goes:\n%s", REPEAT, meter.report(comms, "comm"))
    comms, lines = counts(run)
    TABLE.append(
        (
            f"prepare ({REPEAT} runs: min / median)",
            f"{min(times):.2f} / {statistics.median(times):.2f} s "
            f"(CPU {min(CPU[t] for t in times):.2f} / {statistics.median(CPU[t] for t in times):.2f})",
            f"{min(queries):,} / {int(statistics.median(queries)):,}",
            f"{comms:,} communications, {lines:,} lines",
        )
    )
    return run


def mail_count():
    return env["mail.mail"].sudo().search_count([])


def send(run):
    before = mail_count()
    seconds, queries, _result = measure(run.action_send)
    comms = run.communication_ids
    states = {state: len(group) for state, group in comms.grouped("send_state").items()}
    linked = env["mail.mail"].sudo().search_count([("mail_message_id", "in", comms.mail_message_id.ids)])
    return seconds, queries, mail_count() - before, linked, states


def bench_send(run):
    """The send of ``run``, ``REPEAT`` times (rolled back to a savepoint
    between two): min and median."""
    times, queries = [], []
    for index in range(REPEAT):
        savepoint = env.cr.savepoint()
        with Meter(SEND_METERED if index == REPEAT - 1 else []) as meter:
            seconds, count, created, linked, states = send(run)
        times.append(seconds)
        queries.append(count)
        log(
            "send #%d: %s, %d queries, %d customer mails (%d mail.mail in all), states %s (load %s)",
            index + 1,
            wall_cpu(seconds),
            count,
            linked,
            created,
            states,
            loadavg(),
        )
        if index < REPEAT - 1:
            savepoint.rollback()
            env.invalidate_all()
        else:
            savepoint.close(rollback=False)
    comms = len(run.communication_ids)
    log("send #%d, where the time goes:\n%s", REPEAT, meter.report(comms, "comm"))
    median = statistics.median(times)
    TABLE.append(
        (
            f"send, no PDF ({REPEAT} sends: min / median)",
            f"{min(times):.2f} / {median:.2f} s "
            f"(CPU {min(CPU[t] for t in times):.2f} / {statistics.median(CPU[t] for t in times):.2f})",
            f"{min(queries):,} / {int(statistics.median(queries)):,}",
            f"{linked:,} customer mails queued, states {states}",
        )
    )
    TABLE.append(
        (
            "  per communication (median)",
            f"{1000 * median / max(comms, 1):.1f} ms",
            f"{statistics.median(queries) / max(comms, 1):.2f}",
            "",
        )
    )


def bench_route(policy):
    customers = policy.run_ids[:1].communication_ids.partner_id
    doc_type = env.ref("reminder_automation.document_type_dunning_letter")
    seconds, queries, routes = measure(lambda: customers._reminder_route(doc_type, PATTERNS, "email"))
    errors = sum(1 for route in routes.values() if route.error)
    row(
        "routing: res.partner._reminder_route",
        seconds,
        queries,
        f"{len(customers):,} customers, {errors} without recipient",
    )


def profile(label, function):
    profiler = cProfile.Profile()
    env.invalidate_all()
    profiler.enable()
    result = function()
    env.flush_all()
    profiler.disable()
    for sort in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort).print_stats(25)
        log("profile of %s, top 25 by %s:\n%s", label, sort, out.getvalue())
    return result


class PdfCounter:
    """Counts wkhtmltopdf executions while active."""

    def __init__(self):
        self.calls = 0
        self.cls = type(env["ir.actions.report"])

    def __enter__(self):
        original = self.original = self.cls._run_wkhtmltopdf
        counter = self

        def _run_wkhtmltopdf(report, bodies, *args, **kwargs):
            counter.calls += len(bodies)
            return original(report, bodies, *args, **kwargs)

        self.cls._run_wkhtmltopdf = _run_wkhtmltopdf
        return self

    def __exit__(self, *exc):
        self.cls._run_wkhtmltopdf = self.original


def invoice_pdf_count(moves):
    return (
        env["ir.attachment"]
        .sudo()
        .search_count(
            [
                ("res_model", "=", "account.move"),
                ("res_field", "=", "invoice_pdf_report_file"),
                ("res_id", "in", moves.ids),
            ]
        )
    )


def bench_pdf(company, today):
    customers = env["res.partner"].search(
        [("ref", "=like", "BENCH-%"), ("is_company", "=", True)], order="id", limit=PDF_CUSTOMERS
    )
    env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
    policy = make_policy(
        "Bench dunning with PDFs",
        company,
        attach_invoices=True,
        partner_domain=repr([("id", "in", customers.ids)]),
    )
    company.reminder_dunning_policy_id = policy
    moves = env["account.move"].search(
        [
            ("commercial_partner_id", "in", customers.ids),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
        ]
    )
    log(
        "PDF runs: %d customers, %d invoices, %d invoice PDFs stored before",
        len(customers),
        len(moves),
        invoice_pdf_count(moves),
    )
    for label, date in (("firm level, today", today), ("final level, +61 days", today + timedelta(days=61))):
        pdfs_before = invoice_pdf_count(moves)
        analyze()
        with PdfCounter() as counter:
            seconds_prepare, queries_prepare, run = measure(lambda d=date: prepare(policy, d))
            seconds, queries, created, linked, states = send(run)
        comms = run.communication_ids
        attached = sum(
            len(mail.attachment_ids)
            for mail in env["mail.mail"].sudo().search([("mail_message_id", "in", comms.mail_message_id.ids)])
        )
        new_pdfs = invoice_pdf_count(moves) - pdfs_before
        row(
            f"send with invoice PDFs, {label}",
            seconds,
            queries,
            f"{len(comms)} comms / {len(comms.line_ids)} lines ({comms.level_id.mapped('name')}), "
            f"{linked} mails, {attached} PDFs attached, {counter.calls} wkhtmltopdf renders, "
            f"{new_pdfs} new invoice PDFs, states {states}",
        )
        log("  (its prepare: %s, %d queries)", wall_cpu(seconds_prepare), queries_prepare)
    log(
        "second run rendered %s",
        "NO new PDF: OK" if not new_pdfs and not counter.calls else f"{counter.calls} PDFs again: FAILED",
    )


# ----------------------------------------------------------------------
# Delivery: the queued e-mails through Odoo's mail queue to an SMTP server
# ----------------------------------------------------------------------


class SmtpSink:
    """``bench/smtp_sink.py`` in a process of its own: a local SMTP server
    (aiosmtpd) counting what it accepts."""

    def __init__(self):
        path = os.path.join(get_module_path("reminder_automation"), "bench", "smtp_sink.py")
        self.process = subprocess.Popen(
            [sys.executable, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.port = self._command(None)["port"]

    def _command(self, command):
        if command:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def clear(self):
        self._command("clear")

    def stats(self, messages=0, timeout=30):
        """The server's counters, once it accepted ``messages`` (or after
        ``timeout`` seconds)."""
        deadline = time.time() + timeout
        stats = self._command("stats")
        while stats["messages"] < messages and time.time() < deadline:
            time.sleep(0.05)
            stats = self._command("stats")
        return stats

    def stop(self):
        try:
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
            self.process.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()


class NoCommit:
    """``process_email_queue()`` commits after every mail (``auto_commit``
    outside tests). While active, a commit does to the transaction what a
    commit does (flush, precommit hooks, record cache cleared), without the
    ``COMMIT``: everything stays rollbackable. Its flushes are counted in
    ``seconds`` and ``queries``; the ``COMMIT`` itself (a WAL flush) is
    measured apart by ``commit_latency()``."""

    def __init__(self):
        self.commits = self.queries = 0
        self.seconds = 0.0

    def __enter__(self):
        cr = env.cr

        def commit():
            start, queries = time.perf_counter(), cr.sql_log_count
            cr.flush()
            cr.clear()
            cr._now = None
            self.commits += 1
            self.seconds += time.perf_counter() - start
            self.queries += cr.sql_log_count - queries

        cr.commit = commit
        return self

    def __exit__(self, *exc):
        del env.cr.commit


def commit_latency(count=200):
    """Seconds of a real ``COMMIT`` of a transaction that has an id (the WAL
    is flushed to disk), on a second connection: nothing is written."""
    with db_connect(env.cr.dbname).cursor() as cr:
        start = time.perf_counter()
        for _index in range(count):
            cr.execute("SELECT txid_current()")
            cr.commit()
        return (time.perf_counter() - start) / count


def model_class(model, module, name):
    """The class of ``module`` (e.g. ``odoo.addons.mail_tracking``) defining
    method ``name`` of ``model``, in the registry's inheritance chain."""
    for cls in type(env[model]).__mro__:
        if cls.__module__.startswith(module + ".") and name in cls.__dict__:
            return cls
    return None


RA, MT, MAIL, BASE = (
    "odoo.addons.reminder_automation",
    "odoo.addons.mail_tracking",
    "odoo.addons.mail",
    "odoo.addons.base",
)
# (label, model or class, module, method): each counted inclusive of what it calls
METERED = [
    ("mail.mail._send (all the delivery)", "mail.mail", MAIL, "_send"),
    ("_prepare_outgoing_list [ours]", "mail.mail", RA, "_prepare_outgoing_list"),
    ("_prepare_outgoing_list [mail_tracking]", "mail.mail", MT, "_prepare_outgoing_list"),
    ("_prepare_outgoing_list [mail]", "mail.mail", MAIL, "_prepare_outgoing_list"),
    ("_prepare_outgoing_body [mail]", "mail.mail", MAIL, "_prepare_outgoing_body"),
    ("_personalize_outgoing_body [mail]", "mail.mail", MAIL, "_personalize_outgoing_body"),
    ("tools.html2plaintext (body_alternative)", tools, None, "html2plaintext"),
    ("_tracking_email_prepare [ours]", "mail.mail", RA, "_tracking_email_prepare"),
    ("_tracking_email_prepare [mail_tracking]", "mail.mail", MT, "_tracking_email_prepare"),
    ("mail.tracking.email.create [mail_tracking]", "mail.tracking.email", MT, "create"),
    ("tracking_img_add [mail_tracking]", "mail.tracking.email", MT, "tracking_img_add"),
    ("_build_email__ [mail_tracking]", "ir.mail_server", MT, "_build_email__"),
    ("_build_email__ [base]", "ir.mail_server", BASE, "_build_email__"),
    ("send_email [mail_tracking]", "ir.mail_server", MT, "send_email"),
    ("send_email [base]", "ir.mail_server", BASE, "send_email"),
    ("_prepare_email_message__ [base]", "ir.mail_server", BASE, "_prepare_email_message__"),
    ("smtplib send_message (MIME to bytes + SMTP)", smtplib.SMTP, None, "send_message"),
    ("smtplib sendmail (SMTP dialogue)", smtplib.SMTP, None, "sendmail"),
    ("_tracking_sent_prepare [mail_tracking]", "mail.tracking.email", MT, "_tracking_sent_prepare"),
    ("mail.tracking.email.write [ours]", "mail.tracking.email", RA, "write"),
    ("mail.tracking.email.write [mail_tracking]", "mail.tracking.email", MT, "write"),
    ("_reminder_refresh_sendings [ours]", "mail.tracking.email", RA, "_reminder_refresh_sendings"),
    ("_compute_state of the communications [ours]", "reminder.dunning.communication", RA, "_compute_state"),
    ("_postprocess_sent_message [mail]", "mail.mail", MAIL, "_postprocess_sent_message"),
    ("_filter_mail_mail_servers [ours]", "mail.mail", RA, "_filter_mail_mail_servers"),
]


class Meter:
    """Calls, wall time and queries of methods, each inclusive of what it
    calls (recursive calls counted once), while active. ``targets``:
    ``(label, model name or class or module, addon module or None, method
    name)``. A method of an addon is measured alone by the difference with
    the next one of its chain (e.g. ours minus mail_tracking's)."""

    def __init__(self, targets):
        self.targets = targets
        self.stats = {}  # label -> [calls, seconds, queries, depth]
        self.patched = []

    def __enter__(self):
        for label, target, module, name in self.targets:
            cls = model_class(target, module, name) if isinstance(target, str) else target
            if cls is None or name not in vars(cls):
                log("meter: no %s: not measured", label)
                continue
            original = vars(cls)[name]
            if isinstance(original, (staticmethod, classmethod)):
                log("meter: %s is a %s: not measured", label, type(original).__name__)
                continue
            self.stats[label] = stat = [0, 0.0, 0, 0]

            def wrapper(*args, __original=original, __stat=stat, **kwargs):
                if __stat[3]:
                    return __original(*args, **kwargs)
                __stat[3] = 1
                start, queries = time.perf_counter(), env.cr.sql_log_count
                try:
                    return __original(*args, **kwargs)
                finally:
                    __stat[0] += 1
                    __stat[1] += time.perf_counter() - start
                    __stat[2] += env.cr.sql_log_count - queries
                    __stat[3] = 0

            functools.update_wrapper(wrapper, original)
            setattr(cls, name, wrapper)
            self.patched.append((cls, name, original))
        return self

    def __exit__(self, *exc):
        for cls, name, original in reversed(self.patched):
            setattr(cls, name, original)
        self.patched = []

    @staticmethod
    def line(label, calls, seconds, queries, count):
        return (
            f"  {label:<52} {calls:>6,} {seconds:>8.3f} s {1000 * seconds / count:>7.2f} ms"
            f" {queries:>7,} {queries / count:>6.2f}"
        )

    def report(self, count, unit, differences=(), extra=()):
        """The table, per ``count`` ``unit``; ``differences``: ``(label,
        label of a method, label of the next one of its chain)``; ``extra``:
        ``(label, calls, seconds, queries)`` measured otherwise."""
        count = max(count, 1)
        lines = [
            f"  {'(each inclusive of what it calls)':<52} {'calls':>6} {'time':>10} "
            f"{'per ' + unit:>10} {'queries':>7} {'per ' + unit:>6}"
        ]
        for label, (calls, seconds, queries, _depth) in self.stats.items():
            lines.append(self.line(label, calls, seconds, queries, count))
        for label, calls, seconds, queries in extra:
            lines.append(self.line(label, calls, seconds, queries, count))
        if differences:
            lines.append("  alone (a method minus the next one of its chain):")
        for label, ours, theirs in differences:
            if ours in self.stats and theirs in self.stats:
                a, b = self.stats[ours], self.stats[theirs]
                lines.append(self.line(label, 0, a[1] - b[1], a[2] - b[2], count))
        return "\n".join(lines)


DELIVERY_DIFFERENCES = (
    (
        "ours: _prepare_outgoing_list (shared To/Cc)",
        "_prepare_outgoing_list [ours]",
        "_prepare_outgoing_list [mail_tracking]",
    ),
    (
        "mail_tracking: _prepare_outgoing_list",
        "_prepare_outgoing_list [mail_tracking]",
        "_prepare_outgoing_list [mail]",
    ),
    (
        "ours: _tracking_email_prepare",
        "_tracking_email_prepare [ours]",
        "_tracking_email_prepare [mail_tracking]",
    ),
    (
        "ours: mail.tracking.email.write",
        "mail.tracking.email.write [ours]",
        "mail.tracking.email.write [mail_tracking]",
    ),
    ("mail_tracking: send_email", "send_email [mail_tracking]", "send_email [base]"),
    ("mail_tracking: _build_email__", "_build_email__ [mail_tracking]", "_build_email__ [base]"),
)
PREPARE_METERED = [
    ("action_prepare (all the preparation)", "reminder.dunning.run", RA, "action_prepare"),
    ("_due_items (the due invoices)", "reminder.dunning.policy", RA, "_due_items"),
    ("_insert_communications", "reminder.dunning.run", RA, "_insert_communications"),
    (
        "_reminder_resolve_recipients (routing at Prepare)",
        "reminder.dunning.communication",
        RA,
        "_reminder_resolve_recipients",
    ),
    ("res.partner._reminder_route", "res.partner", RA, "_reminder_route"),
]
SEND_METERED = [
    ("action_send (all the send)", "reminder.dunning.run", RA, "action_send"),
    ("_reminder_route (routing again at send)", "reminder.dunning.communication", RA, "_reminder_route"),
    ("_reminder_render_mails (templates)", "reminder.dunning.communication", RA, "_reminder_render_mails"),
    ("mail.mail.create", "mail.mail", MAIL, "create"),
    ("mail.message.create", "mail.message", MAIL, "create"),
    ("html_sanitize of Html fields (chatter body)", fields_textual, None, "html_sanitize"),
]


def make_mail_server(port):
    IrMailServer = env["ir.mail_server"].sudo()
    others = IrMailServer.search([])
    server = IrMailServer.create(
        {
            "name": "Bench loopback SMTP",
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_encryption": "none",
            "sequence": 0,
        }
    )
    log(
        "mail server 127.0.0.1:%d (%d other servers); ir.mail_server._disable_send() = %s",
        port,
        len(others),
        IrMailServer._disable_send(),
    )
    return server


def outgoing_count():
    return env["mail.mail"].sudo().search_count([("state", "=", "outgoing")])


def deliver(email_ids=()):
    """``process_email_queue()`` until nothing is left to send (its batch
    is ``mail.mail.queue.batch.size``, 1,000 by default): (calls, commits)."""
    calls = 0
    with NoCommit() as nocommit:
        left = outgoing_count()
        while left and calls < 20:
            env["mail.mail"].sudo().process_email_queue(email_ids=email_ids)
            calls += 1
            before, left = left, outgoing_count()
            if left == before or email_ids:
                break
    return calls, nocommit


def expected_copies(mails):
    """SMTP messages Odoo sends for ``mails``: one per recipient partner and
    one for the To/Cc addresses; a reminder sent as one e-mail to all the
    contacts sends its Cc copies apart."""
    return sum(
        len(mail.recipient_ids)
        + bool(mail.email_to or mail.email_cc)
        + bool(mail.reminder_shared_headers and mail.email_to and mail.email_cc and not mail.recipient_ids)
        for mail in mails
    )


def delivery_counts(mails):
    mails.invalidate_recordset()
    trackings = env["mail.tracking.email"].sudo().search([("mail_id", "in", mails.ids)])
    events = env["mail.tracking.event"].sudo().search_count([("tracking_email_id", "in", trackings.ids)])
    states = {state: len(group) for state, group in mails.grouped("state").items()}
    customer = (
        sum(trackings.mapped("reminder_customer_copy"))
        if "reminder_customer_copy" in trackings._fields
        else "?"
    )
    return states, len(trackings), customer, events


def bench_deliver(policy, today, sink):
    """The whole run, ``DELIVER_REPEAT`` times (rolled back in between):
    prepare, send (queue), deliver through the mail queue, until the SMTP
    server accepted the last message."""
    latency = commit_latency()
    log("a real COMMIT (WAL flush) costs %.2f ms here", 1000 * latency)
    for index in range(DELIVER_REPEAT):
        savepoint = env.cr.savepoint()
        analyze()
        sink.clear()
        start = time.time()
        s_prepare, q_prepare, run = measure(lambda: prepare(policy, today))
        s_send, q_send, _result = measure(run.action_send)
        comms = run.communication_ids
        mails = env["mail.mail"].sudo().search([("mail_message_id", "in", comms.mail_message_id.ids)])
        queued = env["mail.mail"].sudo().search([("state", "=", "outgoing")])
        # the reminders and the run's execution report
        expected, expected_reminders = expected_copies(queued), expected_copies(mails)
        with Meter(METERED) as meter:
            s_deliver, q_deliver, (calls, nocommit) = measure(deliver)
        stats = sink.stats(expected)
        whole = (stats["last"] or time.time()) - start
        states, trackings, customer_copies, events = delivery_counts(mails)
        messages = stats["messages"]
        log(
            "delivery #%d: %d reminder mails (%s) and %d other mails in %d queue calls and %d commits; "
            "SMTP server: %d messages (expected %d, of which %d of the reminders), %d envelope "
            "recipients, %.1f MB, %d Message-Ids, %d with different To/Cc among their copies; "
            "reminders: %d trackings (%s customer copies), %d events (load %s)",
            index + 1,
            len(mails),
            states,
            len(queued - mails),
            calls,
            nocommit.commits,
            messages,
            expected,
            expected_reminders,
            stats["recipients"],
            stats["bytes"] / 1e6,
            stats["message_ids"],
            stats["inconsistent_headers"],
            trackings,
            customer_copies,
            events,
            loadavg(),
        )
        log(
            "delivery #%d, where the time goes:\n%s",
            index + 1,
            meter.report(
                messages,
                "msg",
                DELIVERY_DIFFERENCES,
                [("flushes of the (fake) commits", nocommit.commits, nocommit.seconds, nocommit.queries)],
            ),
        )
        if index == DELIVER_REPEAT - 1:
            per_message, per_mail = max(messages, 1), max(len(queued), 1)
            row("whole run: prepare", s_prepare, q_prepare, f"{len(comms):,} communications")
            row("whole run: send (queue)", s_send, q_send, f"{len(mails):,} mail.mail")
            row(
                "whole run: deliver (process_email_queue)",
                s_deliver,
                q_deliver,
                f"{calls} calls, {nocommit.commits:,} commits (flush only); {len(queued):,} mails "
                f"({len(mails):,} reminders {states}); {messages:,} SMTP messages accepted "
                f"(expected {expected:,}, {expected_reminders:,} of reminders); reminders' "
                f"{trackings:,} trackings, {events:,} events",
            )
            TABLE.append(
                (
                    "  deliver per SMTP message / per mail",
                    f"{1000 * s_deliver / per_message:.1f} / {1000 * s_deliver / per_mail:.1f} ms",
                    f"{q_deliver / per_message:.1f} / {q_deliver / per_mail:.1f}",
                    f"{messages / per_mail:.2f} SMTP messages per mail",
                )
            )
            TABLE.append(
                (
                    "whole run: prepare -> last message accepted (target <= 60 s)",
                    f"{whole:.1f} s",
                    f"{q_prepare + q_send + q_deliver:,}",
                    f"+ {nocommit.commits:,} real COMMITs x {1000 * latency:.2f} ms = "
                    f"{nocommit.commits * latency:.1f} s in production",
                )
            )
        savepoint.rollback()
        env.invalidate_all()
    if PROFILE:
        savepoint = env.cr.savepoint()
        analyze()
        run = prepare(policy, today)
        run.action_send()
        mails = (
            env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "in", run.communication_ids.mail_message_id.ids)], order="id")
        )
        some = mails[:DELIVER_PROFILE_MAILS] if DELIVER_PROFILE_MAILS > 0 else mails
        env.flush_all()
        profile(f"the delivery of {len(some)} mails", lambda: deliver(some.ids))
        savepoint.rollback()
        env.invalidate_all()


def main():
    company = env.company
    today = fields.Date.context_today(env["reminder.dunning.run"])
    invoices = env["account.move"].search_count([("move_type", "=", "out_invoice"), ("state", "=", "posted")])
    log(
        "database %s: %s posted customer invoices, %d cores, load %s, dataset %s",
        env.cr.dbname,
        f"{invoices:,}",
        os.cpu_count(),
        loadavg(),
        env["ir.config_parameter"].sudo().get_param("reminder_automation.bench_dataset"),
    )
    if not company.email:
        company.email = "billing@bench.example.com"
    policy = make_policy("Bench dunning", company)
    company.reminder_dunning_policy_id = policy
    # a run above this many communications is handed to the cron by
    # action_send(): the benchmark measures the send itself, in its request
    env["ir.config_parameter"].sudo().set_param("reminder_automation.dunning_background_threshold", 10**9)
    env.flush_all()

    run = bench_prepare(policy, today)
    if PROFILE:
        run.action_cancel()
        analyze()
        run = profile("prepare", lambda: prepare(policy, today))
    if not PREPARE_ONLY:
        bench_route(policy)
        savepoint = env.cr.savepoint()
        bench_send(run)
        if PROFILE:
            savepoint.rollback()
            env.invalidate_all()
            profile(f"the send of {len(run.communication_ids)} communications", run.action_send)
        savepoint.rollback()
        env.invalidate_all()
        run.action_cancel()  # its pending lines would hold the invoices back
        if DELIVER:
            sink = SmtpSink()
            try:
                make_mail_server(sink.port)
                bench_deliver(policy, today, sink)
            finally:
                sink.stop()
        bench_pdf(company, today)

    env.cr.rollback()
    env.invalidate_all()
    widths = [max(len(r[i]) for r in TABLE + [("step", "time", "queries", "what")]) for i in range(4)]
    log(
        "results on %s (%s invoices, %d cores), everything rolled back:",
        env.cr.dbname,
        f"{invoices:,}",
        os.cpu_count(),
    )
    for line in [("step", "time", "queries", "what"), *TABLE]:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))


if __name__ == "__main__":
    main()
