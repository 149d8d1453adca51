from odoo import api, fields, models


class ReminderDunningPreview(models.TransientModel):
    """Shows the e-mail a communication would send; sends nothing."""

    _name = "reminder.dunning.preview"
    _description = "Dunning E-mail Preview"

    communication_id = fields.Many2one("reminder.dunning.communication", required=True)
    recipients = fields.Char(compute="_compute_preview")
    email_cc = fields.Char(string="CC", compute="_compute_preview")
    subject = fields.Char(compute="_compute_preview")
    body_html = fields.Html(compute="_compute_preview", sanitize=False)
    error = fields.Text(compute="_compute_preview")

    @api.depends("communication_id")
    def _compute_preview(self):
        for wizard in self:
            comm = wizard.communication_id
            wizard.update(
                {"recipients": False, "email_cc": False, "subject": False, "body_html": False, "error": False}
            )
            route = comm.partner_id.with_company(comm.company_id)._reminder_route(
                comm._reminder_document_type(), comm._reminder_function_patterns()
            )[comm.partner_id.id]
            if route.error:
                wizard.error = route.error
            else:
                wizard.recipients, wizard.email_cc = comm._reminder_recipient_texts(route)
            template = comm._reminder_mail_template()
            if template:
                rendered = comm._reminder_render_mails()[comm.id]
                if isinstance(rendered, Exception):
                    wizard.error = f"{wizard.error or ''}\n{rendered}".strip()
                else:
                    wizard.subject, wizard.body_html = rendered
