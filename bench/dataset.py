# Copyright 2026 reminder_automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Deterministic benchmark dataset: customers, contacts and overdue invoices.

Runs inside Odoo, through ``odoo-bin shell`` (``bench/run.sh`` does it all):

    python odoo-bin shell -c odoo.conf -d reminder_bench --no-http < bench/dataset.py

It creates, with a fixed random seed (same input, same data):

* ``RA_BENCH_CUSTOMERS`` customer companies (default 2,000), each with an
  accounting contact (function "Accounting", or "Contabilitate" for Romanian
  customers; address type "invoice"; subscribed to invoices, credit notes,
  account statements and dunning letters) and a "Manager" contact (in copy of
  dunning letters), all with e-mail addresses and mobile numbers;
* ``RA_BENCH_INVOICES`` posted customer invoices per customer (default 5),
  due between ``RA_BENCH_MIN_DAYS`` (5) and ``RA_BENCH_MAX_DAYS`` (90) days
  ago, 1 to 3 lines each, amounts spread from tens to thousands;
* optionally invoices in other currencies (``RA_BENCH_CURRENCIES=EUR,RON``:
  about one invoice in five in one of them; rates are created when missing).

Partners and invoices are created with batched ``create()`` calls, invoices are
posted with ``action_post()`` per batch (``RA_BENCH_BATCH`` invoices, default
500) in invoice-date order, and every batch is committed. Timings are printed.

The dataset is created once per database: a second run on a database that
already holds it stops without changing anything.
"""

import os
import random
import sys
import time
from datetime import timedelta

import phonenumbers

from odoo import Command, fields

env = globals()["env"]  # provided by ``odoo-bin shell``

MARKER = "reminder_automation.bench_dataset"
COUNTRIES = ("RO", "IT", "PL", "DE", "FR", "US")
# Mobile number prefix and count of random digits after it, per country.
MOBILE = {
    "RO": ("+40722", 6),
    "IT": ("+39347", 6),
    "PL": ("+48601", 6),
    "DE": ("+49151", 8),
    "FR": ("+33612", 6),
    "US": ("+1212", 7),
}
WORDS = (
    "Alpha Beta Carpathia Delta Euro Ferro Global Helios Iberia Juno Kappa Lumen "
    "Metro Nova Orion Polar Quanta Rhea Sigma Terra Ultra Vega Wisla Xeno Yukon Zenit"
).split()
LEGAL_FORM = {"RO": "SRL", "IT": "S.r.l.", "PL": "Sp. z o.o.", "DE": "GmbH", "FR": "SARL", "US": "Inc."}
FIRST_NAMES = "Ana Ioana Mihai Giulia Marco Anna Piotr Lukas Claire John Maria Paolo".split()
LAST_NAMES = "Popescu Ionescu Rossi Bianchi Nowak Kowalski Muller Schmidt Martin Smith".split()
PRODUCTS = ("Consulting hours", "Steel beams", "Maintenance", "Licence", "Transport", "Paint")


def setting(name, default):
    value = os.environ.get(name)
    return type(default)(value) if value not in (None, "") else default


CUSTOMERS = setting("RA_BENCH_CUSTOMERS", 2000)
INVOICES = setting("RA_BENCH_INVOICES", 5)
BATCH = setting("RA_BENCH_BATCH", 500)
SEED = setting("RA_BENCH_SEED", 42)
MIN_DAYS = setting("RA_BENCH_MIN_DAYS", 5)
MAX_DAYS = setting("RA_BENCH_MAX_DAYS", 90)
CURRENCIES = [c.strip().upper() for c in setting("RA_BENCH_CURRENCIES", "").split(",") if c.strip()]
SALESPEOPLE = setting("RA_BENCH_SALESPEOPLE", 5)

CTX = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "mail_auto_subscribe_no_notify": True,
    "no_reset_password": True,
}


def log(message, *args):
    print("[bench] " + (message % args if args else message), flush=True)


def commit():
    env.cr.commit()
    env.invalidate_all()


class Timer:
    def __init__(self, label):
        self.label = label

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        if not exc[0]:
            log("%s: %.1f s", self.label, self.seconds)


def ensure_chart_of_accounts(company):
    if company.chart_template:
        return
    with Timer("chart of accounts generic_coa"):
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        commit()


def ensure_currencies(company):
    currencies = env["res.currency"].with_context(active_test=False).search([("name", "in", CURRENCIES)])
    missing = set(CURRENCIES) - set(currencies.mapped("name"))
    if missing:
        sys.exit("[bench] unknown currencies: %s" % ", ".join(sorted(missing)))
    currencies -= company.currency_id
    currencies.filtered(lambda c: not c.active).write({"active": True})
    rates = env["res.currency.rate"]
    start = fields.Date.today() - timedelta(days=MAX_DAYS + 120)
    for currency in currencies:
        if not rates.search_count([("currency_id", "=", currency.id), ("company_id", "=", company.id)]):
            rates.create(
                {
                    "currency_id": currency.id,
                    "company_id": company.id,
                    "name": start,
                    "rate": 1.0 + currency.id % 5,
                }
            )
    return currencies


def ensure_salespeople(company):
    users = env["res.users"].with_context(**CTX, active_test=False)
    found = users.search([("login", "=like", "bench_sales_%")], order="login")
    wanted = [f"bench_sales_{i:02d}" for i in range(1, SALESPEOPLE + 1)]
    existing = set(found.mapped("login"))
    new = [
        {
            "name": f"Bench Salesperson {login[-2:]}",
            "login": login,
            "email": f"{login}@bench.example.com",
            "company_id": company.id,
            "company_ids": [Command.set(company.ids)],
            "group_ids": [Command.set(env.ref("account.group_account_invoice").ids)],
        }
        for login in wanted
        if login not in existing
    ]
    if new:
        found |= users.create(new)
    return found.filtered(lambda u: u.login in wanted).sorted("login")


def mobile(rng, code):
    """A random mobile number that phonenumbers accepts, in E.164."""
    prefix, digits = MOBILE[code]
    while True:
        number = prefix + str(rng.randrange(2 * 10 ** (digits - 1), 10**digits))
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


def partner_values(rng, index, countries, salespeople, doc_types):
    code = rng.choice(COUNTRIES)
    country = countries[code]
    name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {index:05d} {LEGAL_FORM[code]}"
    domain = f"customer{index:05d}.example.{code.lower() if code != 'US' else 'com'}"
    accounting_function = "Contabilitate" if code == "RO" else "Accounting"

    def person(function, mailbox, contact_type):
        return {
            "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "type": contact_type,
            "function": function,
            "email": f"{mailbox}@{domain}",
            "mobile": mobile(rng, code),
            "country_id": country.id,
        }

    accounting = person(accounting_function, "accounting", "invoice")
    accounting["reminder_document_type_ids"] = [Command.set(doc_types["to"])]
    manager = person("Manager", "manager", "contact")
    manager["reminder_cc_document_type_ids"] = [Command.set(doc_types["cc"])]
    return {
        "name": name,
        "ref": f"BENCH-{index:05d}",
        "is_company": True,
        "email": f"office@{domain}",
        "city": rng.choice(("Oradea", "Milano", "Warszawa", "Berlin", "Lyon", "Boston")),
        "country_id": country.id,
        "user_id": salespeople[index % len(salespeople)].id if salespeople else False,
        "child_ids": [Command.create(accounting), Command.create(manager)],
    }


def create_customers(rng, company, salespeople):
    countries = {c.code: c for c in env["res.country"].search([("code", "in", COUNTRIES)])}
    types = env["reminder.document.type"].search([]).grouped("code")

    def type_ids(*codes):
        return [types[c].id for c in codes if c in types]

    doc_types = {
        "to": type_ids("invoice", "credit_note", "account_statement", "dunning_letter"),
        "cc": type_ids("dunning_letter"),
    }
    partners = env["res.partner"].with_context(**CTX)
    ids = []
    step = max(1, BATCH // 2)
    for start in range(0, CUSTOMERS, step):
        stop = min(start + step, CUSTOMERS)
        vals = [partner_values(rng, i, countries, salespeople, doc_types) for i in range(start + 1, stop + 1)]
        ids += partners.create(vals).ids
        commit()
        log("customers %d/%d", stop, CUSTOMERS)
    return ids


def invoice_specs(rng, partner_ids, salespeople, currencies, company):
    today = fields.Date.today()
    specs = []
    for n, partner_id in enumerate(partner_ids):
        for _i in range(INVOICES):
            due = today - timedelta(days=rng.randint(MIN_DAYS, MAX_DAYS))
            term = rng.choice((0, 15, 30, 30, 60))
            currency = company.currency_id
            if currencies and rng.random() < 0.2:
                currency = rng.choice(currencies)
            lines = [
                {
                    "name": rng.choice(PRODUCTS),
                    "quantity": rng.randint(1, 20),
                    "price_unit": round(rng.lognormvariate(4.5, 1.0), 2) + 1,
                    "tax_ids": [Command.clear()],
                }
                for _line in range(rng.randint(1, 3))
            ]
            specs.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner_id,
                    "invoice_date": due - timedelta(days=term),
                    "invoice_date_due": due,
                    "currency_id": currency.id,
                    "invoice_user_id": salespeople[n % len(salespeople)].id if salespeople else False,
                    "invoice_line_ids": [Command.create(line) for line in lines],
                }
            )
    # Posting in date order keeps the invoice numbers chronological.
    specs.sort(key=lambda s: (s["invoice_date"], s["partner_id"]))
    return specs


def create_invoices(specs):
    moves = env["account.move"].with_context(**CTX)
    create_time = post_time = 0.0
    for start in range(0, len(specs), BATCH):
        batch = specs[start : start + BATCH]
        t0 = time.perf_counter()
        created = moves.create(batch)
        t1 = time.perf_counter()
        created.action_post()
        commit()
        t2 = time.perf_counter()
        create_time += t1 - t0
        post_time += t2 - t1
        log(
            "invoices %d/%d (create %.1f s, post+commit %.1f s)",
            start + len(batch),
            len(specs),
            t1 - t0,
            t2 - t1,
        )
    log("invoices: create %.1f s, post %.1f s in total", create_time, post_time)


def main():
    total = time.perf_counter()
    company = env.company
    params = env["ir.config_parameter"].sudo()
    if params.get_param(MARKER):
        log(
            "database %s already holds a dataset (%s): nothing to do", env.cr.dbname, params.get_param(MARKER)
        )
        return
    if "reminder.document.type" not in env:
        sys.exit("[bench] reminder_automation is not installed in %s" % env.cr.dbname)
    log(
        "database %s: %d customers x %d invoices, seed %d, batch %d, currencies %s",
        env.cr.dbname,
        CUSTOMERS,
        INVOICES,
        SEED,
        BATCH,
        ",".join(CURRENCIES) or company.currency_id.name,
    )
    rng = random.Random(SEED)
    ensure_chart_of_accounts(company)
    company = env.company
    currencies = ensure_currencies(company) if CURRENCIES else env["res.currency"]
    salespeople = ensure_salespeople(company) if SALESPEOPLE else env["res.users"]
    commit()
    with Timer("customers and contacts"):
        partner_ids = create_customers(rng, company, salespeople)
    specs = invoice_specs(rng, partner_ids, list(salespeople), list(currencies), company)
    with Timer("invoices"):
        create_invoices(specs)
    currency_names = ",".join(CURRENCIES)
    params.set_param(
        MARKER,
        f"customers={CUSTOMERS} invoices_per_customer={INVOICES} seed={SEED} currencies={currency_names}",
    )
    commit()
    overdue = env["account.move"].search_count(
        [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", fields.Date.today()),
        ]
    )
    log("done: %d overdue posted customer invoices; total %.1f s", overdue, time.perf_counter() - total)


if __name__ == "__main__":
    main()
