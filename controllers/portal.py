from odoo import fields, http
from odoo.exceptions import ValidationError
from odoo.http import request
from odoo.tools import consteq


class ReminderPortal(http.Controller):
    """The signed link of a reminder: a page where the customer pays the
    invoice, promises a payment date or disputes it, without an account."""

    def _reminder_invoice(self, move_id, signature):
        """The invoice the link is signed for, as superuser (the signature
        stands for the right to see it); any bad link is a 404, a non-ASCII
        signature too (consteq compares ASCII strings only)."""
        move = request.env["account.move"].sudo().browse(move_id).exists()
        if not move or not signature.isascii() or not consteq(signature, move._reminder_pay_signature()):
            raise request.not_found()
        if move.partner_id.lang:
            request.update_context(lang=move.partner_id.lang)
        return move.with_env(request.env(su=True))

    def _reminder_page(self, move, signature, error=None, done=None, status=200):
        return request.render(
            "reminder_automation.portal_reminder_invoice",
            {
                "move": move,
                "url": f"/reminder/invoice/{move.id}/{signature}",
                "is_open": move._reminder_is_open(),
                "min_date": fields.Date.add(fields.Date.context_today(move), days=1),
                "error": error,
                "done": done,
            },
            status=status,
        )

    @http.route(
        "/reminder/invoice/<int:move_id>/<string:signature>", type="http", auth="public", methods=["GET"]
    )
    def reminder_invoice(self, move_id, signature):
        return self._reminder_page(self._reminder_invoice(move_id, signature), signature)

    @http.route(
        "/reminder/invoice/<int:move_id>/<string:signature>/pay", type="http", auth="public", methods=["GET"]
    )
    def reminder_invoice_pay(self, move_id, signature):
        """To the invoice's portal page and its payment: the invoice gets its
        portal token at the first click only."""
        return request.redirect(self._reminder_invoice(move_id, signature).get_portal_url())

    @http.route(
        "/reminder/invoice/<int:move_id>/<string:signature>/promise",
        type="http",
        auth="public",
        methods=["POST"],
    )
    def reminder_invoice_promise(self, move_id, signature, promise_date=None, **kwargs):
        move = self._reminder_invoice(move_id, signature)
        try:
            move._reminder_portal_promise(fields.Date.to_date(promise_date or None))
        except ValueError:
            return self._reminder_page(
                move, signature, error=request.env._("Please give the date as a date."), status=400
            )
        except ValidationError as error:
            return self._reminder_page(move, signature, error=error.args[0], status=400)
        return self._reminder_page(move, signature, done="promise")

    @http.route(
        "/reminder/invoice/<int:move_id>/<string:signature>/dispute",
        type="http",
        auth="public",
        methods=["POST"],
    )
    def reminder_invoice_dispute(self, move_id, signature, comment=None, **kwargs):
        move = self._reminder_invoice(move_id, signature)
        try:
            move._reminder_portal_dispute(comment)
        except ValidationError as error:
            return self._reminder_page(move, signature, error=error.args[0], status=400)
        return self._reminder_page(move, signature, done="dispute")
