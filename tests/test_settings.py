from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestSettings(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.env.user.sudo().group_ids = [(4, cls.env.ref("base.group_system").id)]
        Server = cls.env["ir.mail_server"]
        Server.search([]).active = False
        cls.ordinary_server, cls.pec_server, cls.other_pec_server = Server.create(
            [
                {"name": "Ordinary", "smtp_host": "smtp.company.example", "sequence": 1},
                {"name": "PEC", "smtp_host": "smtps.pec.example", "sequence": 2, "reminder_is_pec": True},
                {"name": "PEC 2", "smtp_host": "smtps2.pec.example", "sequence": 3, "reminder_is_pec": True},
            ]
        )
        cls.other_policy = cls.policy.copy({"name": "Strict"})

    def _save(self, **values):
        self.env["res.config.settings"].create(values).execute()

    def test_saved_settings_read_back(self):
        self._save(
            reminder_dunning_policy_id=self.other_policy.id,
            reminder_email_from="credit.control@company.example",
            reminder_pec_mail_server_id=self.other_pec_server.id,
        )
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.reminder_dunning_policy_id, self.other_policy)
        self.assertEqual(settings.reminder_email_from, "credit.control@company.example")
        self.assertEqual(settings.reminder_pec_mail_server_id, self.other_pec_server)
        self.assertEqual(self.company.reminder_dunning_policy_id, self.other_policy)
        self.assertEqual(self.env["ir.mail_server"]._reminder_pec_server(), self.other_pec_server)
        self.assertFalse(self.pec_server.reminder_is_pec, "one PEC server: the chosen one")

    def test_pec_servers_kept_when_choice_unchanged(self):
        """Saving other settings leaves a second PEC server as it is."""
        self._save(reminder_email_from="credit.control@company.example")
        self.assertEqual(
            self.env["ir.mail_server"]._reminder_pec_servers(), self.pec_server | self.other_pec_server
        )

    def test_no_pec_server(self):
        self._save(reminder_pec_mail_server_id=False)
        self.assertFalse(self.env["ir.mail_server"]._reminder_pec_servers())
        self.assertFalse(self.env["res.config.settings"].create({}).reminder_pec_mail_server_id)

    def test_reminders_sent_from_the_sender(self):
        self._save(reminder_email_from="Credit Control <credit.control@company.example>")
        self._invoice(self.bihor, due_in_days=-10)
        self._run()
        mails = self._customer_mails()
        self.assertTrue(mails)
        self.assertEqual(set(mails.mapped("email_from")), {"Credit Control <credit.control@company.example>"})

    def test_sender_is_an_address(self):
        with self.assertRaises(ValidationError):
            self._save(reminder_email_from="credit control")

    def test_templates_action(self):
        action = self.env["res.config.settings"].create({}).action_reminder_mail_templates()
        templates = self.env["mail.template"].search(action["domain"])
        self.assertIn(self.env.ref("reminder_automation.mail_template_dunning_firm"), templates)
        self.assertFalse(templates.filtered(lambda template: not template.model.startswith("reminder.")))

    def test_view_renders_the_app_block(self):
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        for needle in (
            'name="reminder_automation"',
            'name="reminder_dunning_policy_id"',
            'name="reminder_email_from"',
            'name="reminder_pec_mail_server_id"',
            "Certified E-mail (PEC) Server",
            "Dunning Policies",
            "Document Types",
            "action_reminder_mail_templates",
        ):
            self.assertIn(needle, arch)


@tagged("post_install", "-at_install")
class TestSettingsSearch(HttpCase):
    def test_search_finds_the_section(self):
        """Searching Settings for "remind", "dunning" or "PEC" shows the
        Reminders section, the words highlighted."""
        self.start_tour("/odoo/settings", "reminder_settings_search_tour", login="admin")
