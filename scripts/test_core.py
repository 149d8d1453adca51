"""Run Odoo's own tests with this addon's code in the registry.

Odoo runs a module's ``at_install`` tests while it loads that module, before
the modules depending on it (this addon) are loaded: a plain ``--test-enable``
run of mail's tests never sees our overrides. This wrapper of ``odoo-bin``
defers them: no test runs while the registry loads, and the post-install
phase, once the whole registry is built, runs both the ``at_install`` and the
``post_install`` tests that ``--test-tags`` selects. Run it on a database
where the modules are already installed (no ``-i``/``-u``: the post-install
phase then covers every installed module)::

    venv/bin/python scripts/test_core.py -c odoo.conf -d DB --test-enable --stop-after-init \\
        --test-tags /mail:TestPersonalServer,/test_mail:TestMailMail
"""

import odoo.cli
from odoo.tests import loader
from odoo.tests.suite import OdooSuite

_make_suite = loader.make_suite


def make_deferred_suite(module_names, position="at_install"):
    """No test while modules load; the tests of both positions after."""
    if position == "at_install":
        return OdooSuite([])
    return OdooSuite([*_make_suite(module_names, "at_install"), *_make_suite(module_names, "post_install")])


if __name__ == "__main__":
    loader.make_suite = make_deferred_suite
    odoo.cli.main()
