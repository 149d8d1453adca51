# Copyright 2026 reminder_automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark: the Aging pivot (open receivables per customer by age).

Runs inside Odoo, through ``odoo-bin shell``, on any database where
reminder_automation is installed, e.g. the one of ``bench/run.sh``:

    python odoo-bin shell -c odoo.conf -d DB --no-http < bench/bench_aging.py

It groups ``reminder.aging`` as the pivot view does (customers by age
bucket, sum of the amount due), ``RA_BENCH_REPEAT`` times (default 5), and
prints the number of open items and customers, the time and the SQL queries
of each grouping. It writes nothing.
"""

import os
import time

env = globals()["env"]  # provided by ``odoo-bin shell``

Aging = env["reminder.aging"]
items = Aging.search_count([])
for _run in range(int(os.environ.get("RA_BENCH_REPEAT", 5))):
    env.invalidate_all()
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    groups = Aging._read_group([], ["partner_id", "bucket"], ["amount_residual:sum"])
    elapsed = time.perf_counter() - start
    customers = len({partner for partner, _bucket, _amount in groups})
    print(
        f"[bench] aging pivot: {items} open items, {customers} customers, {len(groups)} groups "
        f"in {elapsed:.3f} s, {env.cr.sql_log_count - queries} queries"
    )
env.cr.rollback()
