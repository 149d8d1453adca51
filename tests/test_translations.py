from odoo.tests import tagged

from .common import DunningCommon

# language: (word of the dunning vocabulary expected in the firm reminder, in the SMS)
LANGUAGES = {
    "it_IT": ("scadute", "scadute"),
    "ro_RO": ("restanțe", "restanț"),
    "pl_PL": ("zaległ", "zaległ"),
}


@tagged("post_install", "-at_install")
class TestTranslations(DunningCommon):
    """The module's .po files load, and a customer receives the firm reminder
    (e-mail and SMS) in their own language, as the engine renders it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in LANGUAGES:
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"].search([("name", "=", "reminder_automation")])._update_translations(
            list(LANGUAGES), overwrite=True
        )

    def _firm_communication(self, lang):
        customer = self._create_customer(f"Customer {lang}", [("Anna Conti", "Contabilità")])
        customer.lang = lang
        self._invoice(customer, due_in_days=-10)
        run = self._run(send=False)
        return run.communication_ids.filtered(lambda comm: comm.partner_id == customer)

    def test_firm_reminder_in_customer_language(self):
        english = self._firm_communication("en_US")
        self.assertEqual(english.level_id, self.firm)
        english_subject, english_body = english._reminder_render_mails()[english.id]
        sms_template = self.env.ref("reminder_automation.sms_template_dunning")
        english_sms = sms_template._render_field("body", english.ids)[english.id]
        for lang, (word, sms_word) in LANGUAGES.items():
            with self.subTest(lang=lang):
                comm = self._firm_communication(lang)
                subject, body = comm._reminder_render_mails()[comm.id]
                self.assertNotEqual(subject, english_subject)
                self.assertNotEqual(body, english_body)
                self.assertNotIn("overdue", body)
                self.assertIn(word, body.lower())
                self.assertIn(comm.company_id.name, subject)
                self.assertIn(comm.with_context(lang=lang).total_due_text, body)
                sms = sms_template.with_context(lang=lang)._render_field("body", comm.ids)[comm.id]
                self.assertNotEqual(sms, english_sms)
                self.assertIn(sms_word, sms.lower())

    def test_every_shipped_template_translated(self):
        """Each mail and SMS template the module ships (dunning, meeting
        reminders, document dispatch) has its own subject and body in it, ro
        and pl: none falls back to the English text."""
        data = self.env["ir.model.data"].search(
            [("module", "=", "reminder_automation"), ("model", "in", ("mail.template", "sms.template"))]
        )
        # the generic document's template only prints the batch's own subject and body
        templates = [
            self.env[item.model].browse(item.res_id)
            for item in data
            if "demo" not in item.name and item.name != "mail_template_dispatch_generic"
        ]
        self.assertGreaterEqual(len(templates), 18)
        for template in templates:
            fields_to_check = ("subject", "body_html") if template._name == "mail.template" else ("body",)
            for lang in LANGUAGES:
                for field_name in fields_to_check:
                    with self.subTest(template=template.name, lang=lang, field=field_name):
                        self.assertNotEqual(
                            template.with_context(lang=lang)[field_name],
                            template.with_context(lang="en_US")[field_name],
                        )
