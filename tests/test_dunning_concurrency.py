import threading
from datetime import timedelta
from unittest.mock import patch

from odoo import api, fields
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from odoo.addons.reminder_automation.models.reminder_dunning_communication import (
    ReminderDunningCommunication,
)
from odoo.addons.reminder_automation.models.reminder_dunning_run import ReminderDunningRun


@tagged("post_install", "-at_install")
class TestDunningConcurrency(BaseCase):
    """Two workers on the same run, each in its own database transaction,
    on committed data: the run is sent once. TransactionCase cannot show
    this, its uncommitted data being invisible to a second transaction."""

    CUSTOMERS = 4

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            self.run_id = self._create_prepared_run(env)
        self.addCleanup(self._cleanup)

    def _create_prepared_run(self, env):
        company = env.company
        template = env.ref("reminder_automation.mail_template_dunning_firm")
        policy = env["reminder.dunning.policy"].create(
            {
                "name": "Concurrency",
                "company_id": company.id,
                "schedule": "manual",
                "level_ids": [Command.create({"name": "Firm", "days": 1, "mail_template_id": template.id})],
            }
        )
        customers = env["res.partner"].create(
            [
                {
                    "name": f"Concurrent {i}",
                    "is_company": True,
                    "email": f"c{i}@concurrent.example",
                    "reminder_dunning_policy_id": policy.id,
                }
                for i in range(self.CUSTOMERS)
            ]
        )
        today = fields.Date.today()
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "company_id": company.id,
                    "invoice_date": today - timedelta(days=40),
                    "invoice_date_due": today - timedelta(days=10),
                    "invoice_line_ids": [
                        Command.create({"name": "Service", "price_unit": 100, "tax_ids": []})
                    ],
                }
                for customer in customers
            ]
        )
        moves.action_post()
        run = env["reminder.dunning.run"].create({"policy_id": policy.id, "partner_ids": customers.ids})
        run.action_prepare()
        self.record_ids = {"policy": policy.id, "partners": customers.ids, "moves": moves.ids, "run": run.id}
        return run.id

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            run = env["reminder.dunning.run"].browse(self.record_ids["run"])
            env["mail.mail"].search(
                [("mail_message_id", "in", run.communication_ids.mail_message_id.ids)]
            ).unlink()
            run.communication_ids.mail_message_id.unlink()
            env["ir.config_parameter"].set_param("reminder_automation.dunning_batch_size", False)
            run.unlink()
            moves = env["account.move"].browse(self.record_ids["moves"])
            moves.button_draft()
            moves.button_cancel()
            env["res.partner"].browse(self.record_ids["partners"]).active = False
            env["reminder.dunning.policy"].browse(self.record_ids["policy"]).unlink()

    def test_two_workers_send_a_run_once(self):
        first_holds_lock = threading.Event()
        second_done = threading.Event()
        results = {}
        try_lock = ReminderDunningRun._try_lock

        def worker(env, name):
            with env.cr:
                results[name] = env["reminder.dunning.run"].browse(self.run_id)._send_resumable()

        # Environments are made here: the first one of a cursor looks the
        # registry up under a lock the test runner's thread holds.
        envs = [api.Environment(self.registry.cursor(), api.SUPERUSER_ID, {}) for _worker in range(2)]

        def first_locks_then_waits(run, records, **kwargs):
            locked = try_lock(run, records, **kwargs)
            if threading.current_thread().name == "first" and records._name == run._name:
                first_holds_lock.set()
                second_done.wait(10)  # keep the lock while the second worker tries
            return locked

        with patch.object(ReminderDunningRun, "_try_lock", first_locks_then_waits):
            first = threading.Thread(target=worker, args=(envs[0], "first"), name="first")
            first.start()
            self.assertTrue(first_holds_lock.wait(30))
            second = threading.Thread(target=worker, args=(envs[1], "second"), name="second")
            second.start()
            second.join(30)
            second_done.set()
            first.join(30)

        self.assertEqual(results, {"first": True, "second": False})
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            run = env["reminder.dunning.run"].browse(self.run_id)
            self.assertEqual(run.state, "done")
            self.assertEqual(len(run.communication_ids), 4)
            self.assertEqual(run.communication_ids.mapped("send_state"), ["queued"] * 4)
            mails = env["mail.mail"].search(
                [("mail_message_id", "in", run.communication_ids.mail_message_id.ids)]
            )
            self.assertEqual(len(mails), 4, "one e-mail per communication, whatever the workers")

    def test_two_workers_send_batches_of_one_run_in_parallel(self):
        """Two cron workers share a run being sent: each takes batches the
        other does not hold, every communication is sent once and the run
        is finished once, by the last worker."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["ir.config_parameter"].set_param("reminder_automation.dunning_batch_size", 1)
            env["reminder.dunning.run"].browse(self.run_id)._write_state("sending")
            cron_id = env.ref("reminder_automation.ir_cron_dunning").id
        both_in_flight = threading.Barrier(2, timeout=20)
        sent, finished, results = [], [], {}
        dunning_send = ReminderDunningCommunication._dunning_send
        finish = ReminderDunningRun._finish

        def send_batch(comms):
            if threading.current_thread().name not in {name for name, _id in sent}:
                both_in_flight.wait()  # each worker holds a batch at the same time
            sent.extend((threading.current_thread().name, comm_id) for comm_id in comms.ids)
            return dunning_send(comms)

        def finish_once(run):
            finished.append(threading.current_thread().name)
            return finish(run)

        def worker(env, name):
            with env.cr:
                run = env["reminder.dunning.run"].with_context(cron_id=cron_id).browse(self.run_id)
                results[name] = run._send_resumable()

        envs = [api.Environment(self.registry.cursor(), api.SUPERUSER_ID, {}) for _worker in range(2)]
        with (
            patch.object(ReminderDunningCommunication, "_dunning_send", send_batch),
            patch.object(ReminderDunningRun, "_finish", finish_once),
        ):
            threads = [
                threading.Thread(target=worker, args=(env, name), name=name)
                for env, name in zip(envs, ("first", "second"), strict=True)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)

        self.assertEqual({name for name, _id in sent}, {"first", "second"}, "both workers sent batches")
        self.assertEqual(len(finished), 1, "the run is finished once")
        self.assertEqual(sorted(results.values()), [False, True], "by one of the workers")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            run = env["reminder.dunning.run"].browse(self.run_id)
            self.assertEqual(sorted(comm_id for _name, comm_id in sent), sorted(run.communication_ids.ids))
            self.assertEqual(run.state, "done")
            self.assertEqual(run.communication_ids.mapped("send_state"), ["queued"] * self.CUSTOMERS)
            mails = env["mail.mail"].search(
                [("mail_message_id", "in", run.communication_ids.mail_message_id.ids)]
            )
            self.assertEqual(len(mails), self.CUSTOMERS, "one e-mail per communication")
            reports = run.message_ids.filtered(lambda message: "execution report" in (message.subject or ""))
            self.assertEqual(len(reports), 1)
