"""Steps of bench/parallel.sh and bench/fault.sh, run through ``odoo-bin
shell`` on the benchmark database (``RA_BENCH_STEP``); each step commits,
as the cron workers it measures run on committed data.

* ``setup``: a dunning policy with one e-mail level (the shipped firm
  template, 3 days after the due date) becomes the company's default; a run
  of it is prepared (2,000 communications on the 10,000-invoice dataset);
  ``RA_BENCH_WORKERS`` scheduled actions send runs (*Reminders: dunning
  runs* and copies of it, as an administrator makes them for more workers);
  every other scheduled action is deactivated for the measure; batches of
  ``RA_BENCH_BATCH`` communications. Then the workers are woken up (each
  loads its registry before the measure).
* ``start``: hands the run to the workers as a user's Send of a large run does.
* ``report``: time from the hand-over to the run's 'done', communications
  per second, lost (still to send) and duplicate communications (e-mails
  posted twice to a customer), execution reports written.
* ``cleanup``: deletes what ``setup`` created and restores what it changed.
"""

import json
import os

STATE = "/tmp/reminder_bench_parallel.json"
step = os.environ["RA_BENCH_STEP"]
Run = env["reminder.dunning.run"]  # noqa: F821 (odoo-bin shell)
cron = env.ref("reminder_automation.ir_cron_dunning")  # noqa: F821


def save(state):
    with open(STATE, "w") as file:
        json.dump(state, file)


def load():
    with open(STATE) as file:
        return json.load(file)


if step == "setup":
    company = env.company  # noqa: F821
    policy = env["reminder.dunning.policy"].create(  # noqa: F821
        {
            "name": "Bench parallel",
            "company_id": company.id,
            "schedule": "manual",
            "function_patterns": "Conta, Accounting, %Manage",
            "level_ids": [
                (
                    0,
                    0,
                    {
                        "name": "Firm",
                        "days": 3,
                        "channel_email": True,
                        "mail_template_id": env.ref("reminder_automation.mail_template_dunning_firm").id,  # noqa: F821
                    },
                )
            ],
        }
    )
    state = {"default_policy": company.reminder_dunning_policy_id.id, "policy": policy.id}
    company.reminder_dunning_policy_id = policy
    run = Run.create({"policy_id": policy.id})
    run.action_prepare()
    state["run"] = run.id
    state["communications"] = len(run.communication_ids)
    Cron = env["ir.cron"]  # noqa: F821
    state["deactivated"] = Cron.search([("active", "=", True), ("id", "!=", cron.id)]).ids
    Cron.browse(state["deactivated"]).active = False
    state["cron_was_active"] = cron.active
    cron.active = True
    workers = int(os.environ.get("RA_BENCH_WORKERS", 1))
    state["copies"] = [
        cron.copy({"name": f"{cron.name} ({n})", "active": True}).id for n in range(2, workers + 1)
    ]
    Param = env["ir.config_parameter"].sudo()  # noqa: F821
    state["batch_param"] = Param.get_param("reminder_automation.dunning_batch_size") or False
    Param.set_param("reminder_automation.dunning_batch_size", os.environ.get("RA_BENCH_BATCH", "100"))
    save(state)
    Run._trigger_send_workers()  # wake the workers: each loads its registry now
    env.cr.commit()  # noqa: F821
    print(f"[bench] run {run.name}: {state['communications']} communications, {workers} worker(s)")

elif step == "start":
    state = load()
    run = Run.browse(state["run"])
    run._write_state("sending")
    run._trigger_send_workers()
    env.cr.execute("SELECT now()")  # noqa: F821
    state["start"] = env.cr.fetchone()[0].isoformat()  # noqa: F821
    save(state)
    env.cr.commit()  # noqa: F821

elif step == "report":
    state = load()
    run = Run.browse(state["run"])
    env.cr.execute(  # noqa: F821
        """SELECT EXTRACT(EPOCH FROM r.write_date - %s::timestamp),
                  (SELECT count(*) FROM reminder_dunning_communication c
                    WHERE c.run_id = r.id AND c.send_state = 'draft'),
                  (SELECT count(*) FROM reminder_dunning_communication c
                    WHERE c.run_id = r.id AND c.send_state = 'queued')
             FROM reminder_dunning_run r WHERE r.id = %s""",
        (state["start"], run.id),
    )
    seconds, lost, queued = env.cr.fetchone()  # noqa: F821
    # a communication sent twice posts its e-mail twice on its customer
    env.cr.execute(  # noqa: F821
        """SELECT COALESCE(sum(n - 1), 0) FROM (
               SELECT count(*) AS n FROM mail_message m
                 JOIN reminder_dunning_communication c ON c.partner_id = m.res_id AND c.run_id = %s
                WHERE m.model = 'res.partner' AND m.create_date >= %s::timestamp
                  AND m.message_type != 'notification'
             GROUP BY m.res_id) AS posts""",
        (run.id, state["start"]),
    )
    duplicates = env.cr.fetchone()[0]  # noqa: F821
    reports = len(run.message_ids.filtered(lambda m: "execution report" in (m.subject or "")))
    rate = state["communications"] / float(seconds) if run.state == "done" and seconds else 0
    print(
        f"[bench] state {run.state}, {state['communications']} communications: {queued} queued, "
        f"{lost} lost, {duplicates} duplicates, {reports} execution report(s); "
        f"{float(seconds or 0):.1f} s from hand-over to done, {rate:.1f} communications/s "
        f"(load {' '.join(f'{x:.2f}' for x in os.getloadavg())})"
    )

elif step == "cleanup":
    state = load()
    # in SQL: the ORM's unlink of messages runs account's audit-log checks per message
    env.cr.execute(  # noqa: F821
        """WITH messages AS (
               SELECT mail_message_id AS id FROM reminder_dunning_communication WHERE run_id = %(run)s
                UNION SELECT id FROM mail_message WHERE model = 'reminder.dunning.run' AND res_id = %(run)s),
           mails AS (DELETE FROM mail_mail WHERE mail_message_id IN (SELECT id FROM messages))
           DELETE FROM mail_message WHERE id IN (SELECT id FROM messages)""",
        {"run": state["run"]},
    )
    env.cr.execute("DELETE FROM reminder_dunning_run WHERE id = %s", (state["run"],))  # noqa: F821
    env.invalidate_all()  # noqa: F821
    env.company.reminder_dunning_policy_id = state["default_policy"]  # noqa: F821
    env["reminder.dunning.policy"].browse(state["policy"]).unlink()  # noqa: F821
    env["ir.cron"].browse(state["copies"]).unlink()  # noqa: F821
    env["ir.cron"].browse(state["deactivated"]).active = True  # noqa: F821
    cron.active = state["cron_was_active"]
    env["ir.config_parameter"].sudo().set_param(  # noqa: F821
        "reminder_automation.dunning_batch_size", state["batch_param"]
    )
    env.cr.commit()  # noqa: F821
    os.remove(STATE)
    print("[bench] cleaned up")
