# Copyright 2026 reminder_automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Reminder Automation",
    "summary": "Dunning, recurring interactions, task reminders and document "
    "dispatch routed to the right contact, run unattended by cron",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/reminder-automation/reminder_automation",
    "author": "reminder_automation authors",
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": ["account", "mail", "sms", "portal", "mail_tracking"],
    "external_dependencies": {"python": ["phonenumbers"]},
    "data": [
        "security/security.xml",
        "security/ir.model.access.csv",
        "security/reminder_recurrence_security.xml",
        "data/reminder_document_type_data.xml",
        "data/reminder_recurrence_data.xml",
        "data/reminder_dunning_data.xml",
        "data/mail_template_data.xml",
        "report/reminder_dunning_reports.xml",
        "views/reminder_document_type_views.xml",
        "views/res_partner_views.xml",
        "views/ir_mail_server_views.xml",
        "views/reminder_dunning_policy_views.xml",
        "views/reminder_dunning_run_views.xml",
        "views/reminder_dunning_communication_views.xml",
        "views/account_move_views.xml",
        "views/portal_templates.xml",
        "views/res_company_views.xml",
        "views/reminder_recurrence_views.xml",
        "views/reminder_todo_views.xml",
        "wizards/reminder_recurrence_rule_wizard_views.xml",
        "wizards/reminder_postpone_views.xml",
        "views/menus.xml",
        "views/res_config_settings_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "reminder_automation/static/src/**/*",
        ],
        "web.assets_tests": [
            "reminder_automation/static/tests/tours/**/*",
        ],
    },
    "demo": [
        "demo/res_partner_demo.xml",
        "demo/account_move_demo.xml",
        "demo/reminder_dunning_demo.xml",
    ],
}
