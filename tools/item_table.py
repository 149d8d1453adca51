"""Formatting of the dunning item table, written for speed: a run formats
tens of thousands of amounts and table rows."""

from markupsafe import Markup, escape

from odoo.tools import format_amount, get_lang


def amount_formatter(env, currency):
    """A function giving ``format_amount(env, amount, currency)`` for many
    amounts: the same text, with the language and currency looked up once
    instead of at every call (75 µs a call: 1 s for 10,000 invoices)."""
    lang = get_lang(env)
    if lang.grouping != "[3,0]":  # Python's grouping is by thousands only
        return lambda amount: format_amount(env, amount, currency)
    separators = str.maketrans({",": lang.thousands_sep or "", ".": lang.decimal_point})
    digits = currency.decimal_places
    symbol = currency.symbol or ""
    if currency.position == "before":
        prefix, suffix = f"{symbol}\N{NO-BREAK SPACE}", ""
    else:
        prefix, suffix = "", f"\N{NO-BREAK SPACE}{symbol}"

    def format_one(amount):
        text = f"{currency.round(amount):,.{digits}f}".translate(separators)
        text = text.replace(" ", "\N{NO-BREAK SPACE}").replace("-", "-\N{ZERO WIDTH NO-BREAK SPACE}")
        return f"{prefix}{text}{suffix}"

    return format_one


class ItemTable:
    """The HTML of the item table (seed 003's %Partita: the invoices, not
    their total, which templates print with %Importo), in the language of
    ``env``. Built from escaped strings rather than by a QWeb view, which
    costs about 45 µs per row (half a second for a run over 10,000
    invoices). ``pay_links``: a "Pay or reply" link per invoice (its page
    pays, promises a date or disputes), for e-mails; a printed letter has
    none."""

    CELL = '<td style="padding: 4px;">{}</td>'
    CELL_RIGHT = '<td style="padding: 4px; text-align: right;">{}</td>'
    HEAD_CELL = '<th style="padding: 4px;">{}</th>'
    HEAD_CELL_RIGHT = '<th style="padding: 4px; text-align: right;">{}</th>'

    def __init__(self, env, pay_links=True):
        self.pay_links = pay_links
        head = [
            self.HEAD_CELL.format(escape(env._("Invoice"))),
            self.HEAD_CELL.format(escape(env._("Date"))),
            self.HEAD_CELL.format(escape(env._("Due Date"))),
            self.HEAD_CELL_RIGHT.format(escape(env._("Days Late"))),
            self.HEAD_CELL_RIGHT.format(escape(env._("Amount Due"))),
        ]
        row = [
            self.CELL.format("{number}"),
            self.CELL.format("{date}"),
            self.CELL.format("{due}"),
            self.CELL_RIGHT.format("{days_late}"),
            self.CELL_RIGHT.format("{residual}"),
        ]
        if pay_links:
            head.append(self.HEAD_CELL.format(""))
            pay_link = escape(env._("Pay or reply")).replace("{", "{{").replace("}", "}}")
            row.append(self.CELL.format(f'<a href="{{url}}">{pay_link}</a>'))
        self.head = (
            '<table style="border-collapse: collapse; width: 100%; font-size: 13px; margin-bottom: 8px;">'
            "<thead>"
            '<tr style="border-bottom: 1px solid #999; text-align: left;">' + "".join(head) + "</tr>"
            "</thead><tbody>"
        )
        self.row = '<tr style="border-bottom: 1px solid #ddd;">' + "".join(row) + "</tr>"

    def render(self, rows):
        """``rows``: dicts of the row placeholders (number, date, due,
        days_late, residual, url), not escaped."""
        body = "".join(self.row.format(**{key: escape(value) for key, value in row.items()}) for row in rows)
        return Markup(self.head + body + "</tbody></table>")
