from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestItalianTour(DunningCommon, HttpCase):
    """A handler working in Italian finds the module's screens in Italian."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("it_IT")
        cls.env["ir.module.module"].search([("name", "=", "reminder_automation")])._update_translations(
            ["it_IT"], overwrite=True
        )
        cls.handler.write(
            {
                "lang": "it_IT",
                "password": "handler",
                "group_ids": [Command.link(cls.env.ref("reminder_automation.group_reminder_manager").id)],
            }
        )

    def test_italian_tour(self):
        self._invoice(self.bihor, -10)
        self.start_tour("/odoo", "reminder_italian_tour", login="handler")
