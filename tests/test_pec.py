from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import ReminderCommon


@tagged("post_install", "-at_install")
class TestPec(ReminderCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._init_mail_gateway()
        cls.env["ir.mail_server"].search([]).active = False
        Server = cls.env["ir.mail_server"]
        cls.pec_server = Server.create(
            {"name": "PEC", "smtp_host": "smtps.pec.example.it", "sequence": 1, "reminder_is_pec": True}
        )
        cls.ordinary_server = Server.create(
            {"name": "Ordinary", "smtp_host": "smtp.example.com", "sequence": 5}
        )
        cls.rossi = cls._create_company_partner(
            "Rossi",
            [("Giulia Bianchi", "Amministrazione", {"pec_email": "amministrazione@pec.example.it"})],
            pec_email="rossi@pec.example.it",
        )
        cls.giulia = cls.rossi.child_ids
        cls.giulia.reminder_document_type_ids = cls.type_declaration

    def _send(self, recipient_values):
        mail = self.env["mail.mail"].create(
            {
                "subject": "Dichiarazione",
                "body_html": "<p>In allegato</p>",
                "email_from": "amm@company.example",
            }
            | recipient_values
        )
        with self.mock_mail_gateway():
            mail.send(raise_exception=True)
        return mail

    def test_pec_mail_goes_through_pec_server_to_pec_address_only(self):
        route = self.rossi._reminder_route(self.type_declaration)[self.rossi.id]
        values = self.Partner._reminder_mail_recipient_values(route)
        self.assertEqual(values["mail_server_id"], self.pec_server.id)
        mail = self._send(values)
        self.assertEqual(mail.state, "sent")
        self.assertEqual(self.connect_mocked.call_args.kwargs["mail_server_id"], self.pec_server.id)
        self.assertEqual([e["smtp_to_list"] for e in self.emails], [["amministrazione@pec.example.it"]])

    def test_ordinary_mail_never_uses_pec_server(self):
        route = self.rossi._reminder_route(self.type_invoice)[self.rossi.id]
        self._send(self.Partner._reminder_mail_recipient_values(route))
        used = {call.kwargs["mail_server_id"] for call in self.connect_mocked.call_args_list}
        self.assertEqual(used, {self.ordinary_server.id})
        self.assertEqual(self.emails[0]["smtp_to_list"], ["office@rossi.example"])
        self.assertFalse(
            self.env["ir.mail_server"]._find_mail_server("amm@company.example")[0].reminder_is_pec
        )
        with self.assertRaisesRegex(ValidationError, "Only certified"):
            self.env["mail.mail"].create(
                {"subject": "x", "email_to": "a@b.example", "mail_server_id": self.pec_server.id}
            )

    def test_pec_mail_refuses_ordinary_addresses_and_servers(self):
        with self.assertRaisesRegex(ValidationError, "office@rossi.example"):
            self.env["mail.mail"].create(
                {
                    "subject": "x",
                    "email_to": "rossi@pec.example.it, office@rossi.example",
                    "reminder_is_pec": True,
                    "mail_server_id": self.pec_server.id,
                }
            )
        with self.assertRaisesRegex(ValidationError, "PEC mail server"):
            self.env["mail.mail"].create(
                {
                    "subject": "x",
                    "email_to": "rossi@pec.example.it",
                    "reminder_is_pec": True,
                    "mail_server_id": self.ordinary_server.id,
                }
            )

    def test_no_pec_server_is_a_clear_error(self):
        self.pec_server.reminder_is_pec = False
        route = self.rossi._reminder_route(self.type_declaration)[self.rossi.id]
        with self.assertRaisesRegex(UserError, "Outgoing Mail Servers"):
            self.Partner._reminder_mail_recipient_values(route)
