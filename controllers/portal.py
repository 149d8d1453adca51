from odoo import http
from odoo.http import request
from odoo.tools import consteq


class ReminderPortal(http.Controller):
    @http.route("/reminder/invoice/<int:move_id>/<string:signature>", type="http", auth="public")
    def reminder_invoice(self, move_id, signature):
        """The "pay now" link of a reminder: its signature stands for the
        invoice's portal token, which is created at the first click only.
        Any bad link is a 404, a non-ASCII signature too (consteq compares
        ASCII strings only)."""
        move = request.env["account.move"].sudo().browse(move_id).exists()
        if not move or not signature.isascii() or not consteq(signature, move._reminder_pay_signature()):
            raise request.not_found()
        return request.redirect(move.get_portal_url())
