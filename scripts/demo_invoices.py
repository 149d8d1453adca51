"""Posted overdue customer invoices for the demo partners, so that the
dunning demo (Reminders to handle, runs) has something to show.

    RA=~/.local/share/reminder_automation
    $RA/venv/bin/python /opt/odoo/odoo-bin shell -c $RA/odoo.conf -d reminder_demo --no-http \\
        < scripts/demo_invoices.py

Idempotent: invoices are recognised by their reference and created once.
"""

from datetime import timedelta

from odoo import fields
from odoo.fields import Command

today = fields.Date.context_today(env.user)  # noqa: F821 (odoo shell)
company = env.company  # noqa: F821
Move = env["account.move"]  # noqa: F821
partners = [
    # (partner, due in days from today, amount)
    ("reminder_automation.demo_partner_ro", -12, 1250.0),
    ("reminder_automation.demo_partner_ro", -45, 380.0),
    ("reminder_automation.demo_partner_it", -9, 2400.0),
    ("reminder_automation.demo_partner_pl", 2, 760.0),
    ("base.res_partner_2", -20, 1830.0),
    ("base.res_partner_3", -35, 540.0),
    ("base.res_partner_4", -8, 920.0),
    ("base.res_partner_12", 1, 310.0),
    ("base.res_partner_10", -60, 4100.0),
]
salesperson = env.ref("base.user_admin")  # noqa: F821
created = 0
for index, (xmlid, due_in, amount) in enumerate(partners):
    partner = env.ref(xmlid, raise_if_not_found=False)  # noqa: F821
    ref = f"REMINDER-DEMO-{index}"
    if not partner or Move.search_count([("ref", "=", ref)]):
        continue
    due = today + timedelta(days=due_in)
    move = Move.create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "ref": ref,
            "invoice_user_id": salesperson.id,
            "invoice_date": min(due, today) - timedelta(days=30),
            "invoice_date_due": due,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Consulting services",
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
    )
    move.action_post()
    created += 1
env.cr.commit()  # noqa: F821
print(f"{created} demo invoices created")
