from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    reminder_dunning_policy_id = fields.Many2one(
        "reminder.dunning.policy",
        string="Default Dunning Policy",
        domain="[('company_id', '=', id)]",
        help="Applies to the customers without a policy of their own.",
    )
