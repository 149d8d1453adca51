# Copyright 2026 reminder_automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the dunning engine: prepare a run, queue its e-mails, PDFs.

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
4. **send with invoice PDFs**: a second policy restricted by its Customers
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
import io
import os
import pstats
import statistics
import time
from datetime import timedelta

from odoo import Command, fields

env = globals()["env"]  # provided by ``odoo-bin shell``

REPEAT = int(os.environ.get("RA_BENCH_REPEAT") or 3)
PREPARE_ONLY = os.environ.get("RA_BENCH_PREPARE_ONLY") == "1"
PROFILE = os.environ.get("RA_BENCH_PROFILE", "1") != "0"
PDF_CUSTOMERS = int(os.environ.get("RA_BENCH_PDF_CUSTOMERS") or 20)
ANALYZE = os.environ.get("RA_BENCH_ANALYZE", "1") != "0"
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
