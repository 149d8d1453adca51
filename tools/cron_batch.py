"""Batches of work that several cron workers share without doing any twice."""

from psycopg2 import errors as pg_errors

from odoo.tools import mute_logger


def lock_ids(env, query):
    """Ids ``query`` (a ``SELECT id ... FOR UPDATE SKIP LOCKED``) locks for
    this worker, or None when a row it reaches was changed and committed by
    another worker after this transaction began (REPEATABLE READ refuses to
    lock it): that worker goes on with the work."""
    try:
        with mute_logger("odoo.sql_db"), env.cr.savepoint(flush=False):
            return [row[0] for row in env.execute_query(query)]
    except pg_errors.SerializationFailure:
        return None


def commit_progress(env, processed):
    """Commit a finished batch when running in a cron (what is left of its
    time, as ``ir.cron._commit_progress``); in a user's request the whole
    work is one transaction, as Odoo's own actions."""
    if not env.context.get("cron_id"):
        return float("inf")
    return env["ir.cron"]._commit_progress(processed)
