# Copyright 2026 reminder_automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark: plan a year of daily occurrences for many recurrences.

Runs inside Odoo, through ``odoo-bin shell``, on any database where
reminder_automation is installed:

    python odoo-bin shell -c odoo.conf -d DB --no-http < bench/bench_recurrence.py

It creates ``RA_BENCH_RECURRENCES`` daily recurrences (default 1,000), each on
its own customer, planned 365 days ahead, then measures, in batches of
``RA_BENCH_BATCH`` recurrences (default 100, as the cron does):

1. the first generation: 365 occurrences and activities per recurrence
   (365,000 of each by default);
2. the same generation again (idempotent: nothing created);
3. the cron's next day: the horizon moves by one day (one occurrence each).

It prints the time and the number of SQL queries of each step, then rolls
everything back unless ``RA_BENCH_COMMIT=1``.
"""

import os
import time

from odoo import fields

env = globals()["env"]  # provided by ``odoo-bin shell``

COUNT = int(os.environ.get("RA_BENCH_RECURRENCES", 1000))
BATCH = int(os.environ.get("RA_BENCH_BATCH", 100))
HORIZON = 364  # today and the next 364 days: 365 daily occurrences


def measure(label, recurrences):
    """Generate ``recurrences`` batch by batch; print time and queries."""
    occurrences = 0
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    for index in range(0, len(recurrences), BATCH):
        occurrences += len(recurrences[index : index + BATCH]._generate_occurrences())
        env.flush_all()
        env.invalidate_all()
    elapsed = time.perf_counter() - start
    queries = env.cr.sql_log_count - queries
    print(
        f"[bench] {label}: {occurrences:,} occurrences for {len(recurrences):,} recurrences "
        f"in {elapsed:.1f} s ({occurrences / elapsed if elapsed else 0:,.0f}/s), {queries:,} queries "
        f"({queries / max(len(recurrences) // BATCH, 1):,.0f} per batch of {BATCH})"
    )


user = env.ref("base.user_admin")
user.tz = "Europe/Rome"
partners = env["res.partner"].create([{"name": f"Bench recurrence customer {i}"} for i in range(COUNT)])
recurrences = env["reminder.recurrence"].create(
    [
        {
            "name": f"Daily call {i}",
            "rule_type": "daily",
            "partner_id": partner.id,
            "user_id": user.id,
            "interaction_type_id": env.ref("mail.mail_activity_data_call").id,
            "date_start": fields.Date.today(),
            "horizon_days": HORIZON,
        }
        for i, partner in enumerate(partners)
    ]
)
env.flush_all()
print(f"[bench] {COUNT:,} daily recurrences, horizon {HORIZON} days, batches of {BATCH}")
measure("first generation", recurrences)
measure("generation again (idempotent)", recurrences)
recurrences.write({"horizon_days": HORIZON + 1})
env.flush_all()
measure("horizon moved by one day", recurrences)

if os.environ.get("RA_BENCH_COMMIT") == "1":
    env.cr.commit()
    print("[bench] committed")
else:
    env.cr.rollback()
    print("[bench] rolled back")
