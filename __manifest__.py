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
        "data/reminder_document_type_data.xml",
        "views/reminder_document_type_views.xml",
        "views/res_partner_views.xml",
        "views/ir_mail_server_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/res_partner_demo.xml",
    ],
}
