# Copyright 2026 reminder_automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the document dispatch: prepare a batch of every posted
invoice, send 2,000 invoices whose PDFs Odoo stored, and Odoo's own mass
Send (``account.move.send``) of the same 2,000 invoices.

Runs inside Odoo, through ``odoo-bin shell``, on a database built by
``bench/run.sh`` (``bench/dispatch.sh`` updates the module first, then runs it).
Measured with ``time.perf_counter`` and the cursor's query counter, every
measured block ending with ``env.flush_all()``:

1. **prepare**: a batch of the Customer Invoice type, every posted invoice
   of the company (10,000 on the default dataset): ``create()`` +
   ``action_prepare()``, ``RA_BENCH_REPEAT`` times (default 3, rolled back in
   between); the same for the invoices of a tenth of the customers, to show
   that the query count does not grow with the documents;
2. **stored PDFs**: one invoice PDF is printed (wkhtmltopdf) and stored as
   the PDF of ``RA_BENCH_SEND`` invoices (default 2,000: every invoice of the
   first 400 customers), the way Odoo stores it when it sends an invoice
   (``invoice_pdf_report_file``): not measured;
3. **send**: a prepared batch of those invoices, ``action_send()`` (in the
   request: the background threshold is raised), and **Odoo's mass Send**,
   ``account.move.send._generate_and_send_invoices(moves,
   sending_methods={"email"})`` (what its cron does for a mass send, with
   the invoices' stored PDFs) on the same invoices, ``RA_BENCH_REPEAT`` times
   each, interleaved, rolled back in between: time, queries, ``mail.mail``
   created, wkhtmltopdf calls (must be 0), and the ratio of the medians.

Both sends queue ``mail.mail`` records; delivery (SMTP) is the mail queue's
job, measured by bench/dunning.sh. Everything is rolled back at the end.
"""

import os
import statistics
import time
from unittest.mock import patch

from odoo import Command

env = globals()["env"]  # provided by ``odoo-bin shell``

REPEAT = int(os.environ.get("RA_BENCH_REPEAT") or 3)
SEND = int(os.environ.get("RA_BENCH_SEND") or 2000)

Report = type(env["ir.actions.report"])
company = env["account.move"].search([("move_type", "=", "out_invoice")], limit=1).company_id
env = env(context=dict(env.context, allowed_company_ids=company.ids, tracking_disable=True))
env["ir.config_parameter"].set_param("reminder_automation.dispatch_background_threshold", 10**9)
env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:9")
invoice_type = env.ref("reminder_automation.document_type_invoice")
Batch = env["reminder.dispatch.batch"]
Move = env["account.move"]
posted = Move.search(
    [("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("company_id", "=", company.id)]
)
customers = posted.commercial_partner_id.sorted("id")
print(
    f"[dispatch] {len(posted)} posted invoices of {len(customers)} customers, load {os.getloadavg()[0]:.1f}"
)


def measure(function):
    env.invalidate_all()
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    result = function()
    env.flush_all()
    return time.perf_counter() - start, env.cr.sql_log_count - queries, result


def prepare(partners=None):
    batch = Batch.create(
        {
            "company_id": company.id,
            "document_type_ids": [Command.set(invoice_type.ids)],
            "partner_ids": [Command.set(partners.ids)] if partners else [],
        }
    )
    batch.action_prepare()
    return batch


def repeated_prepare(label, partners=None):
    """Prepare REPEAT times, each rolled back."""
    times = []
    for _i in range(REPEAT):
        with env.cr.savepoint(flush=False) as savepoint:
            seconds, queries, batch = measure(lambda: prepare(partners))
            times.append(seconds)
            lines = len(batch.line_ids)
            savepoint.rollback()
    print(
        f"[dispatch] prepare, {label}: min {min(times):.2f} s, median {statistics.median(times):.2f} s, "
        f"{queries} queries, {lines} lines"
    )


# 1. prepare ------------------------------------------------------------------
repeated_prepare("every posted invoice")
tenth = customers[: len(customers) // 10]
repeated_prepare(f"the invoices of {len(tenth)} customers", tenth)

# 2. stored PDFs --------------------------------------------------------------
senders = posted.filtered(lambda move: move.commercial_partner_id in customers[: max(1, SEND // 5)])[:SEND]
partners = senders.commercial_partner_id
pdf, _type = env["ir.actions.report"]._render_qweb_pdf("account.account_invoices", senders[:1].ids)
assert pdf.startswith(b"%PDF")
env["ir.attachment"].create(
    [
        {
            "name": f"{move.name.replace('/', '_')}.pdf",
            "raw": pdf,
            "mimetype": "application/pdf",
            "res_model": "account.move",
            "res_id": move.id,
            "res_field": "invoice_pdf_report_file",
        }
        for move in senders
        if not move.invoice_pdf_report_id
    ]
)
env.invalidate_all()
print(f"[dispatch] {len(senders)} invoices of {len(partners)} customers with a stored PDF")

# 3. send ---------------------------------------------------------------------
wkhtmltopdf_calls = []
original_run = Report._run_wkhtmltopdf


def counting_run(self, *args, **kwargs):
    wkhtmltopdf_calls.append(1)
    return original_run(self, *args, **kwargs)


def ours():
    batch = prepare(partners)
    env.flush_all()
    seconds, queries, _ = measure(batch.action_send)
    mails = env["mail.mail"].search_count([("mail_message_id", "in", batch.line_ids.mail_message_id.ids)])
    return seconds, queries, mails, batch


def odoo():
    before = env["mail.mail"].search_count([])
    seconds, queries, _ = measure(
        lambda: env["account.move.send"]._generate_and_send_invoices(senders, sending_methods={"email"})
    )
    return seconds, queries, env["mail.mail"].search_count([]) - before, None


results = {"reminder_automation": [], "account.move.send": []}
with patch.object(Report, "_run_wkhtmltopdf", counting_run):
    for _i in range(REPEAT):
        for label, function in (("reminder_automation", ours), ("account.move.send", odoo)):
            with env.cr.savepoint(flush=False) as savepoint:
                wkhtmltopdf_calls.clear()
                seconds, queries, mails, batch = function()
                results[label].append(seconds)
                errors = f", {batch.error_count} errors" if batch else ""
                print(
                    f"[dispatch] send {len(senders)} invoices, {label}: {seconds:.2f} s, {queries} queries, "
                    f"{mails} mail.mail{errors}, wkhtmltopdf calls: {len(wkhtmltopdf_calls)}"
                )
                savepoint.rollback()
ours_median = statistics.median(results["reminder_automation"])
odoo_median = statistics.median(results["account.move.send"])
print(
    f"[dispatch] send medians: reminder_automation {ours_median:.2f} s, account.move.send "
    f"{odoo_median:.2f} s: {odoo_median / ours_median:.1f}x faster"
)
env.cr.rollback()
