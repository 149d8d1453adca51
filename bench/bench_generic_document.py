# Copyright 2026 reminder_automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark: the recipient count of a generic document sent to every
partner who bought a given product in the last 6 months.

Runs inside Odoo, through ``odoo-bin shell`` (``bench/generic_document.sh``
does it), on the benchmark database (``bench/run.sh``):

    python odoo-bin shell -c odoo.conf -d reminder_bench --no-http < bench/bench_generic_document.py

The dataset's invoice lines name their products ("Steel beams", ...) without
a product: the first run links the lines named ``RA_BENCH_PRODUCT`` (default
"Steel beams") to a product of that name, and commits that once. Then the
count the form of "Send Generic Document" shows (partners selected, then
their recipients, routed) is measured ``RA_BENCH_REPEAT`` times (default 5)
on a cold cache, with its SQL queries; everything else is rolled back.
"""

import os
import statistics
import time

env = globals()["env"]  # provided by ``odoo-bin shell``

PRODUCT = os.environ.get("RA_BENCH_PRODUCT", "Steel beams")
REPEAT = int(os.environ.get("RA_BENCH_REPEAT", 5))
MONTHS = 6

product = env["product.product"].search([("name", "=", PRODUCT)], limit=1)
if not product:
    product = env["product.product"].create({"name": PRODUCT})
    env.flush_all()
    env.cr.execute(
        "UPDATE account_move_line SET product_id = %s WHERE name = %s AND display_type = 'product'",
        [product.id, PRODUCT],
    )
    print(f"[bench] {env.cr.rowcount:,} invoice lines linked to product {PRODUCT!r}")
    env.cr.execute("ANALYZE account_move_line")
    env.cr.commit()

invoices = env["account.move"].search_count([("move_type", "=", "out_invoice"), ("state", "=", "posted")])
attachment = env["ir.attachment"].create(
    {"name": "price-list.pdf", "raw": b"%PDF-1.4", "mimetype": "application/pdf"}
)
wizard = env["reminder.generic.document"].create(
    {
        "subject": "New prices",
        "attachment_ids": [(6, 0, attachment.ids)],
        "product_ids": product.ids,
        "months": MONTHS,
    }
)
env.flush_all()

timings, queries = [], []
for _ in range(REPEAT):
    env.invalidate_all()
    count = env.cr.sql_log_count
    start = time.perf_counter()
    wizard._compute_counts()
    timings.append(time.perf_counter() - start)
    queries.append(env.cr.sql_log_count - count)
print(
    f"[bench] recipient count, bought {PRODUCT!r} in {MONTHS} months, {invoices:,} posted invoices: "
    f"{wizard.partner_count:,} partners, {wizard.recipient_count:,} recipients in "
    f"{min(timings):.3f} s min / {statistics.median(timings):.3f} s median of {REPEAT}, "
    f"{max(queries)} queries (target 0.5 s)"
)
env.cr.rollback()
