from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import ReminderCommon
from .loopback_smtp import LoopbackSMTPServer, enable_smtp_in_tests

# a Monday; the meetings of the tests start there, at 10:00 UTC
START = datetime(2030, 3, 11, 10, 0)


class MeetingCommon(ReminderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pl_PL")
        cls.company = cls.env.company
        cls.company.write(
            {"reminder_meeting_email_from": "meetings@company.example", "reminder_meeting_cron_mode": "both"}
        )
        cls.customer = cls.Partner.create(
            {
                "name": "Kowalski Sp. z o.o.",
                "is_company": True,
                "email": "biuro@kowalski.example",
                "phone": "+48 12 345 67 89",
                "country_id": cls.env.ref("base.pl").id,
                "lang": "pl_PL",
                "tz": "Europe/Warsaw",
            }
        )
        cls.contact = cls.Partner.create(
            {
                "name": "Jan Kowalski",
                "parent_id": cls.customer.id,
                "email": "jan@kowalski.example",
                "mobile": "601 234 567",
                "country_id": cls.env.ref("base.pl").id,
                "lang": "pl_PL",
                "tz": "Europe/Warsaw",
            }
        )
        cls.operator = new_test_user(
            cls.env,
            login="meeting_operator",
            groups="base.group_user",
            email="operator@company.example",
            tz="America/New_York",
        )
        cls.operator.partner_id.mobile = "+1 212 555 0100"
        cls.Event = cls.env["calendar.event"].with_context(dont_notify=True)

    def _meeting(self, start=START, **values):
        return self.Event.create(
            {
                "name": "Kick-off",
                "start": start,
                "stop": start + timedelta(hours=1),
                "user_id": self.operator.id,
                "partner_ids": [Command.set((self.operator.partner_id | self.contact).ids)],
                "reminder_customer_id": self.customer.id,
                "reminder_contact_id": self.contact.id,
                "reminder_customer": True,
                "reminder_customer_channel": "email",
                "reminder_customer_interval": 1,
                "reminder_customer_interval_unit": "days",
                "reminder_operator": False,
                **values,
            }
        )

    def _cron(self, at):
        with freeze_time(at):
            self.env["reminder.meeting"]._cron_send_due()

    def _mails(self, reminders):
        return self.env["mail.mail"].search([("mail_message_id", "in", reminders.mail_message_id.ids)])


@tagged("post_install", "-at_install")
class TestMeetingReminder(MeetingCommon):
    def test_defaults_from_settings_copied_and_overridable(self):
        template = self.env["mail.template"].create(
            {"name": "Mine", "model_id": self.env["ir.model"]._get_id("reminder.meeting"), "subject": "S"}
        )
        settings = self.env["res.config.settings"].create(
            {
                "reminder_meeting_customer": True,
                "reminder_meeting_customer_channel": "sms",
                "reminder_meeting_customer_interval": 3,
                "reminder_meeting_customer_interval_unit": "hours",
                "reminder_meeting_operator": True,
                "reminder_meeting_operator_channel": "both",
                "reminder_meeting_operator_mail_template_id": template.id,
                "reminder_meeting_operator_interval": 15,
                "reminder_meeting_operator_interval_unit": "minutes",
            }
        )
        settings.execute()
        with Form(self.Event) as form:
            form.name = "From defaults"
            self.assertTrue(form.reminder_customer)
            self.assertEqual(form.reminder_customer_channel, "sms")
            self.assertEqual(
                (form.reminder_customer_interval, form.reminder_customer_interval_unit), (3, "hours")
            )
            self.assertEqual(
                form.reminder_customer_sms_template_id,
                self.env.ref("reminder_automation.sms_template_meeting_customer"),
            )
            self.assertTrue(form.reminder_operator)
            self.assertEqual(form.reminder_operator_channel, "both")
            self.assertEqual(form.reminder_operator_mail_template_id, template)
            self.assertEqual(
                (form.reminder_operator_interval, form.reminder_operator_interval_unit), (15, "minutes")
            )
            # each value can be changed on the meeting
            form.reminder_customer = False
            form.reminder_operator_channel = "email"
            form.reminder_operator_interval = 2
        event = form.record
        self.assertFalse(event.reminder_customer)
        self.assertEqual((event.reminder_operator_channel, event.reminder_operator_interval), ("email", 2))
        self.assertEqual(
            self.company.reminder_meeting_operator_channel, "both", "the company's default is kept"
        )

    def test_each_channel_and_audience(self):
        event = self._meeting(
            reminder_customer_channel="both",
            reminder_operator=True,
            reminder_operator_channel="both",
            reminder_operator_interval=2,
            reminder_operator_interval_unit="hours",
        )
        reminders = event.reminder_ids
        self.assertEqual(
            sorted((r.audience, r.partner_id, r.channel, r.date_scheduled) for r in reminders),
            sorted(
                [
                    ("customer", self.contact, "email", START - timedelta(days=1)),
                    ("customer", self.contact, "sms", START - timedelta(days=1)),
                    ("operator", self.operator.partner_id, "email", START - timedelta(hours=2)),
                    ("operator", self.operator.partner_id, "sms", START - timedelta(hours=2)),
                ]
            ),
            "the contact is the customer's side, not an operator",
        )
        self._cron(START - timedelta(days=1))
        customer = reminders.filtered(lambda r: r.audience == "customer")
        self.assertEqual(customer.mapped("send_state"), ["queued", "queued"])
        self.assertEqual(self._mails(customer).recipient_ids, self.contact)
        self.assertEqual(customer.sms_ids.number, "+48601234567")
        operator = reminders - customer
        self.assertEqual(set(operator.mapped("send_state")), {"draft"})
        self._cron(START - timedelta(hours=2))
        self.assertEqual(set(operator.mapped("send_state")), {"queued"})
        self.assertEqual(self._mails(operator).recipient_ids, self.operator.partner_id)
        self.assertEqual(operator.sms_ids.number, "+12125550100")

    def test_cron_modes(self):
        for mode, sent in (
            ("customer", {"customer"}),
            ("operator", {"operator"}),
            ("both", {"customer", "operator"}),
        ):
            with self.subTest(mode=mode):
                self.company.reminder_meeting_cron_mode = mode
                event = self._meeting(reminder_operator=True, reminder_operator_interval=1)
                self._cron(START - timedelta(hours=1))
                self.assertEqual(
                    set(event.reminder_ids.filtered(lambda r: r.send_state == "queued").mapped("audience")),
                    sent,
                )

    def test_start_and_end_in_recipients_timezone_across_dst(self):
        """Warsaw leaves summer time on 27 October 2030: 10:00 UTC is 12:00
        before, 11:00 after; the operator reads New York's hours (summer time
        there until 3 November)."""
        before = self._meeting(
            datetime(2030, 10, 25, 10, 0), reminder_operator=True, reminder_customer_channel="sms"
        )
        after = self._meeting(datetime(2030, 10, 28, 10, 0), reminder_customer_channel="sms")
        customer_before = before.reminder_ids.filtered(lambda r: r.audience == "customer")
        customer_after = after.reminder_ids
        self.assertEqual(
            customer_before.start_text, "piątek 25 października 2030, 12:00", "in Polish, in Warsaw"
        )
        self.assertIn("13:00", customer_before.stop_text)
        self.assertIn("11:00", customer_after.start_text)
        operator = before.reminder_ids.filtered(lambda r: r.audience == "operator")
        self.assertEqual(operator.start_text, "Friday 25 October 2030, 06:00", "in English, in New York")
        self._cron(datetime(2030, 10, 27, 10, 0))
        self.assertIn(
            "poniedziałek 28 października 2030, 11:00", customer_after.sms_ids.body, "the template shows it"
        )

    def test_sender_forced(self):
        template = self.env.ref("reminder_automation.mail_template_meeting_customer")
        template.email_from = "someone.else@elsewhere.example"
        server = self.env["ir.mail_server"].create({"name": "Meetings", "smtp_host": "localhost"})
        self.company.reminder_meeting_mail_server_id = server
        event = self._meeting()
        self._cron(START - timedelta(days=1))
        mail = self._mails(event.reminder_ids)
        self.assertEqual(mail.email_from, "meetings@company.example")
        self.assertEqual(mail.mail_server_id, server)

    def test_save_refused_naming_participant_and_field(self):
        self.contact.mobile = False
        self.customer.phone = False
        event = self._meeting()
        with (
            self.assertRaisesRegex(ValidationError, "Jan Kowalski has no mobile.*SMS Number"),
            self.env.cr.savepoint(),
        ):
            event.reminder_customer_channel = "sms"
        event.invalidate_recordset()
        self.assertEqual(event.reminder_customer_channel, "email", "nothing saved")
        self.assertEqual(event.reminder_ids.channel, "email")
        with (
            self.assertRaisesRegex(ValidationError, "SMS Number 12 of .*Jan Kowalski is not a valid"),
            self.env.cr.savepoint(),
        ):
            event.write({"reminder_customer_channel": "sms", "reminder_customer_phone": "12"})
        event.write({"reminder_customer_channel": "sms", "reminder_customer_phone": "601 999 888"})
        self.assertEqual(event.reminder_ids.phone, "+48601999888", "a number typed by hand, in E.164")
        self._cron(START - timedelta(days=1))
        self.assertEqual(event.reminder_ids.sms_ids.number, "+48601999888")

    def test_customer_number_and_address_picked(self):
        """The contact's mobile and e-mail by default; the customer's phone
        and e-mail picked instead are the ones the reminders go to."""
        event = self._meeting(reminder_customer_channel="both")
        self.assertEqual(
            (event.reminder_customer_phone_source, event.reminder_customer_phone),
            ("contact_mobile", "601 234 567"),
        )
        self.assertEqual(
            (event.reminder_customer_email_source, event.reminder_customer_email),
            ("contact_email", "jan@kowalski.example"),
        )
        with Form(event) as form:
            form.reminder_customer_phone_source = "customer_phone"
            form.reminder_customer_email_source = "customer_email"
            self.assertEqual(form.reminder_customer_phone, "+48 12 345 67 89")
            self.assertEqual(form.reminder_customer_email, "biuro@kowalski.example")
        self._cron(START - timedelta(days=1))
        reminders = event.reminder_ids
        self.assertEqual(reminders.sms_ids.number, "+48123456789", "the customer's phone, in E.164")
        self.assertEqual(self._mails(reminders).email_to, "biuro@kowalski.example")
        self.assertEqual(reminders.partner_id, self.contact, "still the contact's reminder")

    def test_declined_attendee_not_reminded(self):
        event = self._meeting(reminder_operator=True)
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == self.operator.partner_id)
        reminder = event.reminder_ids.filtered(lambda r: r.audience == "operator")
        self.assertEqual(reminder.partner_id, self.operator.partner_id)
        attendee.do_decline()
        self.assertFalse(reminder.exists(), "the pending reminder is dropped")
        self.assertEqual(event.reminder_ids.audience, "customer")
        attendee.do_accept()
        reminder = event.reminder_ids.filtered(lambda r: r.audience == "operator")
        self.assertEqual((reminder.partner_id, reminder.send_state), (self.operator.partner_id, "draft"))
        self._cron(reminder.date_scheduled)
        self.assertEqual(self._mails(reminder).recipient_ids, self.operator.partner_id, "reminded again")

    def test_no_customer_nothing_to_remind(self):
        """Meetings other apps create from the company's defaults still save."""
        event = self._meeting(
            reminder_customer_id=False, reminder_contact_id=False, reminder_customer_channel="sms"
        )
        self.assertFalse(event.reminder_ids)

    def test_operator_without_email_refused(self):
        self.operator.partner_id.email = False
        with self.assertRaisesRegex(ValidationError, "meeting_operator.*E-mail"):
            self._meeting(reminder_operator=True)

    def test_due_once_at_its_time(self):
        event = self._meeting()
        reminder = event.reminder_ids
        self._cron(START - timedelta(days=2))
        self.assertEqual(reminder.send_state, "draft", "not two days before")
        self._cron(START - timedelta(days=1))
        self.assertEqual(reminder.send_state, "queued")
        self._cron(START - timedelta(days=1) + timedelta(minutes=5))
        self._cron(START - timedelta(hours=1))
        self.assertEqual(len(event.reminder_ids), 1)
        self.assertEqual(len(self._mails(reminder)), 1, "never twice")

    def test_reschedule_before_sending(self):
        event = self._meeting()
        reminder = event.reminder_ids
        event.write({"start": START + timedelta(days=2), "stop": START + timedelta(days=2, hours=1)})
        self.assertEqual(event.reminder_ids, reminder, "the same reminder, moved")
        self.assertEqual(reminder.date_scheduled, START + timedelta(days=1))
        self._cron(START - timedelta(days=1))
        self.assertEqual(reminder.send_state, "draft", "the old time no longer counts")
        self._cron(START + timedelta(days=1))
        self.assertEqual(reminder.send_state, "queued")

    def test_reschedule_after_sending(self):
        event = self._meeting()
        first = event.reminder_ids
        self._cron(START - timedelta(days=1))
        with freeze_time(START - timedelta(hours=20)):
            event.write({"start": START + timedelta(days=3), "stop": START + timedelta(days=3, hours=1)})
        second = event.reminder_ids - first
        self.assertEqual(first.send_state, "queued", "what went stays")
        self.assertEqual((second.send_state, second.date_scheduled), ("draft", START + timedelta(days=2)))
        self._cron(START + timedelta(days=2))
        self.assertEqual(second.send_state, "queued", "a new one for the new time")
        self.assertEqual(len(self._mails(event.reminder_ids)), 2)

    def test_archived_or_switched_off_gets_none(self):
        archived, switched_off = self._meeting(), self._meeting()
        archived.action_archive()
        switched_off.reminder_customer = False
        self.assertFalse((archived | switched_off).reminder_ids)
        mails = self.env["mail.mail"].search_count([])
        self._cron(START - timedelta(days=1))
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)

    def test_error_on_the_record_and_in_reminders_to_handle(self):
        handler = new_test_user(
            self.env,
            login="meeting_handler",
            groups="reminder_automation.group_reminder_dunning",
            email="h@c.example",
        )
        event = self._meeting()
        self.contact.email = False  # after the meeting was saved
        with freeze_time(START - timedelta(days=1)):
            self.env["reminder.meeting"]._cron_send_due()
            self.assertEqual(event.reminder_ids.send_state, "error")
            self.assertIn("Jan Kowalski", event.reminder_ids.error_message)
            self.assertEqual(event.reminder_error_count, 1)
            Todo = self.env["reminder.todo"].with_user(handler)
            Todo._refresh_rows()
            row = Todo.search([("source", "=", "meeting")])
            self.assertEqual((row.record_ref, row.partner_id), (event, self.contact))
            self.assertEqual(row.currency_id, row.company_id.currency_id, "totals in one currency")
            self.assertIn("Jan Kowalski", row.route_error)
            self.assertIn("Kick-off", row.name)
            self.assertEqual(row.date, START - timedelta(days=1))
            self.contact.email = "jan@kowalski.example"  # fixed by hand
            row.action_send_selected()
            self.assertEqual(event.reminder_ids.send_state, "queued")
            Todo._refresh_rows()
            self.assertFalse(Todo.search([("source", "=", "meeting")]))

    def test_access_rights(self):
        outsider = new_test_user(
            self.env, login="outsider", groups="base.group_user", email="out@company.example"
        )
        reminder_user = new_test_user(
            self.env,
            login="reminder_user",
            groups="reminder_automation.group_reminder_user",
            email="ru@c.example",
        )
        event = self._meeting(reminder_operator=True)
        Reminder = self.env["reminder.meeting"]
        self.assertFalse(Reminder.with_user(outsider).search([]), "no reminder of others")
        self.assertEqual(
            Reminder.with_user(self.operator).search([]),
            event.reminder_ids,
            "the organizer sees his meeting's",
        )
        self.assertEqual(Reminder.with_user(reminder_user).search([]), event.reminder_ids)
        with self.assertRaises(AccessError):
            event.reminder_ids.with_user(outsider).read(["error_message"])


@tagged("post_install", "-at_install")
class TestMeetingReminderDelivery(MeetingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.smtp = LoopbackSMTPServer()
        cls.smtp.start()
        cls.addClassCleanup(cls.smtp.stop)
        cls.startClassPatcher(enable_smtp_in_tests(cls.env))
        cls.env["ir.mail_server"].search([]).active = False
        cls.server = cls.env["ir.mail_server"].create(
            {"name": "Loopback", "smtp_host": "127.0.0.1", "smtp_port": cls.smtp.port}
        )

    def test_bcc_in_the_smtp_envelope_only(self):
        template = self.env.ref("reminder_automation.mail_template_meeting_customer")
        template.write({"email_bcc": "archive@company.example", "email_from": "other@elsewhere.example"})
        event = self._meeting()
        self.assertEqual(event.reminder_customer_bcc, "archive@company.example", "shown on the tab")
        self._cron(START - timedelta(days=1))
        self.env["mail.mail"].process_email_queue()
        # (Odoo's own invitations to the meeting arrived too)
        [message] = [m for m in self.smtp.messages if m.subject.startswith("My Company: meeting on")]
        self.assertEqual(message.rcpt_tos, ["jan@kowalski.example", "archive@company.example"])
        self.assertNotIn("Bcc", message.message, "a blind copy is in no header")
        self.assertEqual(message.addresses("To"), ["jan@kowalski.example"])
        self.assertEqual(message.addresses("From"), ["meetings@company.example"], "the service's sender")
        self.assertIn(
            "poniedziałek 11 marca 2030, 11:00", message.html(), "the start in Warsaw's time, in Polish"
        )
        self.assertEqual(event.reminder_ids.state, "sent", "tracked")

    def test_bcc_of_a_template_sent_by_odoo(self):
        """Odoo's own sending from a template (automations, buttons) carries
        the template's blind copies too."""
        template = self.env["mail.template"].create(
            {
                "name": "Welcome",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "subject": "Welcome",
                "email_from": "office@company.example",
                "email_to": "{{ object.email }}",
                "body_html": "<p>Hello</p>",
                "email_bcc": "archive@company.example",
            }
        )
        template.send_mail(self.contact.id)
        self.env["mail.mail"].process_email_queue()
        [message] = [m for m in self.smtp.messages if m.subject == "Welcome"]
        self.assertEqual(message.rcpt_tos, ["jan@kowalski.example", "archive@company.example"])
        self.assertNotIn("Bcc", message.message, "a blind copy is in no header")


@tagged("post_install", "-at_install")
class TestMeetingReminderTour(MeetingCommon, HttpCase):
    def test_meeting_reminder_tour(self):
        self.contact.mobile = False
        self.customer.phone = False
        event = self._meeting(datetime.now() + timedelta(days=5))
        self.start_tour(f"/odoo/calendar.event/{event.id}", "reminder_meeting_tour", login="admin")
        self.assertEqual(event.reminder_customer_channel, "sms")
        self.assertEqual(event.reminder_ids.phone, "+48601999888")
