# Copyright 2026 reminder_automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark: meeting reminders against Odoo's own calendar e-mail alarms.

Runs inside Odoo, through ``odoo-bin shell`` (bench/meeting.sh), on a
database where reminder_automation is installed. It builds
``RA_BENCH_MEETINGS`` meetings (default 50,000) spread over a year, of which
``RA_BENCH_DUE`` (default 2,000) have their reminder due in the current
cron window (the last five minutes): those are created through the ORM
(their reminders as users get them), the others in one INSERT each for the
meetings, their reminders and their alarms. Every meeting has both our
customer reminder (e-mail, one day before) and Odoo's e-mail alarm (one
day before), to one attendee.

Measured, in the same run, each from the same state (savepoints):

1. finding the due reminders: the cron's locking query, its time and
   number of queries, on the whole dataset and on a tenth of it;
2. our cron (``reminder.meeting._cron_send_due``): finding, rendering and
   queueing the e-mails;
3. Odoo's cron (``calendar.alarm_manager._send_reminder``) on the same
   meetings: the e-mails of the same alarms.

Everything is rolled back.
"""

import os
import time
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.fields import Command
from odoo.tools import SQL

env = globals()["env"]  # provided by ``odoo-bin shell``

MEETINGS = int(os.environ.get("RA_BENCH_MEETINGS", 50_000))
DUE = int(os.environ.get("RA_BENCH_DUE", 2_000))


def measure(label, function):
    """Run ``function`` in a savepoint rolled back after; print its time and queries."""
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    with env.cr.savepoint() as savepoint:
        result = function()
        env.flush_all()
        elapsed = time.perf_counter() - start
        queries = env.cr.sql_log_count - queries
        savepoint.rollback()
    env.invalidate_all()
    print(f"[bench] {label}: {elapsed:.3f} s, {queries:,} queries; {result}")
    return elapsed


def build():
    now = fields.Datetime.now()
    company = env.company
    company.write(
        {
            "reminder_meeting_cron_mode": "both",
            "reminder_meeting_email_from": "meetings@company.example",
            "reminder_meeting_customer_mail_template_id": env.ref(
                "reminder_automation.mail_template_meeting_customer"
            ).id,
        }
    )
    alarm = env["calendar.alarm"].create(
        {"name": "Bench: e-mail 1 day before", "alarm_type": "email", "duration": 1, "interval": "days"}
    )
    contacts = env["res.partner"].create(
        [
            {
                "name": f"Bench meeting contact {i}",
                "email": f"contact{i}@meeting-bench.example",
                "tz": "Europe/Warsaw",
            }
            for i in range(DUE)
        ]
    )
    organizer = env.ref("base.user_admin")
    start = time.perf_counter()
    # Odoo sends an invitation to every attendee of a new meeting, at once:
    # not what is measured
    with patch.object(type(env["calendar.attendee"]), "_send_invitation_emails", lambda self: None):
        (
            env["calendar.event"]
            .with_context(dont_notify=True, mail_create_nolog=True, mail_notrack=True)
            .create(
                [
                    {
                        "name": f"Bench meeting {i}",
                        # reminder (start - 1 day) due within the last five minutes
                        "start": now + timedelta(days=1, seconds=-1 - (i * 290 // DUE)),
                        "stop": now + timedelta(days=1, hours=1),
                        "user_id": organizer.id,
                        "partner_ids": [Command.set([contact.id])],
                        "alarm_ids": [Command.set([alarm.id])],
                        "reminder_customer_id": contact.id,
                        "reminder_customer": True,
                        "reminder_customer_channel": "email",
                        "reminder_customer_interval": 1,
                        "reminder_customer_interval_unit": "days",
                    }
                    for i, contact in enumerate(contacts)
                ]
            )
        )
    env.flush_all()
    print(f"[bench] {DUE:,} due meetings created through the ORM in {time.perf_counter() - start:.1f} s")
    others = MEETINGS - DUE
    # the others: later in the year, each with its reminder and its alarm
    start = time.perf_counter()
    env.cr.execute(
        SQL(
            """INSERT INTO calendar_event (name, start, stop, start_date, stop_date, duration, allday, active,
                                          user_id, privacy, show_as, reminder_customer, reminder_customer_id,
                                          reminder_customer_channel, reminder_customer_interval,
                                          reminder_customer_interval_unit, create_uid, write_uid,
                                          create_date, write_date)
               SELECT 'Bench later meeting ' || g, s, s + interval '1 hour', s::date, s::date, 1, false, true,
                      %(user)s, 'public', 'busy', true, %(partner)s, 'email', 1, 'days', %(user)s, %(user)s,
                      %(now)s, %(now)s
                 FROM generate_series(1, %(count)s) g,
                      LATERAL (SELECT %(now)s::timestamp + interval '2 days'
                                      + (g * interval '1 minute' * 363 * 24 * 60 / %(count)s) AS s) t
            RETURNING id, start""",
            user=organizer.id,
            partner=contacts[0].id,
            now=now,
            count=others,
        )
    )
    later = env.cr.fetchall()
    env.cr.execute(
        SQL(
            """INSERT INTO calendar_alarm_calendar_event_rel (calendar_event_id, calendar_alarm_id)
               SELECT unnest(%s::int[]), %s""",
            [event_id for event_id, _start in later],
            alarm.id,
        )
    )
    env.cr.execute(
        SQL(
            """INSERT INTO reminder_meeting (event_id, audience, channel, partner_id, company_id, send_state,
                                            state, event_start, date_scheduled, create_uid, write_uid,
                                            create_date, write_date)
               SELECT e, 'customer', 'email', %(partner)s, %(company)s, 'draft', 'draft', s,
                      s - interval '1 day', %(user)s, %(user)s, %(now)s, %(now)s
                 FROM unnest(%(events)s::int[], %(starts)s::timestamp[]) AS v(e, s)""",
            partner=contacts[0].id,
            company=company.id,
            user=organizer.id,
            now=now,
            events=[event_id for event_id, _start in later],
            starts=[start for _event_id, start in later],
        )
    )
    env.cr.execute("ANALYZE calendar_event, reminder_meeting, calendar_alarm_calendar_event_rel")
    print(f"[bench] {others:,} later meetings inserted in {time.perf_counter() - start:.1f} s")
    return now


def find_due(limit):
    return f"{len(env['reminder.meeting']._lock_due(limit)):,} due reminders found"


def queued(function):
    """``function``, then the number of e-mails it queued."""
    before = env["mail.mail"].search_count([])
    function()
    return f"{env['mail.mail'].search_count([]) - before:,} e-mails queued"


def our_cron():
    return queued(env["reminder.meeting"]._cron_send_due)


def odoo_cron(now):
    alarm_manager = env["calendar.alarm_manager"].with_context(lastcall=now - timedelta(minutes=5))
    return lambda: queued(alarm_manager._send_reminder)


with env.cr.savepoint() as dataset:
    now = build()
    total = env["reminder.meeting"].search_count([])
    print(f"[bench] {MEETINGS:,} meetings, {total:,} reminders, {DUE:,} due now")
    find_due(MEETINGS)  # warm-up: the first call flushes and loads what any would
    measure(f"find the due reminders among {total:,}", lambda: find_due(MEETINGS))
    ours = measure(f"our cron: {DUE:,} meeting reminders", our_cron)
    theirs = measure(f"Odoo's calendar alarms: the same {DUE:,} meetings", odoo_cron(now))
    print(f"[bench] ours is {theirs / ours:.1f}x faster than Odoo's calendar e-mail alarms")
    # the query count does not depend on the number of reminders: the same on a tenth
    env.cr.execute(
        SQL(
            """DELETE FROM reminder_meeting WHERE id IN (
                   SELECT id FROM reminder_meeting
                    WHERE send_state = 'draft' AND date_scheduled > %s LIMIT %s)""",
            now,
            (MEETINGS - DUE) * 9 // 10,
        )
    )
    env.cr.execute("ANALYZE reminder_meeting")
    measure(
        f"find the due reminders among {env['reminder.meeting'].search_count([]):,}",
        lambda: find_due(MEETINGS),
    )
    dataset.rollback()
