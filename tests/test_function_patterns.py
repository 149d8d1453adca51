from odoo.tests import BaseCase, tagged

from odoo.addons.reminder_automation.models.res_partner import _fold, compile_function_patterns


@tagged("post_install", "-at_install")
class TestFunctionPatterns(BaseCase):
    def assertMatches(self, patterns, functions):
        regex = compile_function_patterns(patterns)
        for function in functions:
            self.assertTrue(regex.match(_fold(function)), f"{patterns!r} should match {function!r}")

    def assertNotMatches(self, patterns, functions):
        regex = compile_function_patterns(patterns)
        for function in functions:
            self.assertFalse(regex.match(_fold(function)), f"{patterns!r} should not match {function!r}")

    def test_prefix_without_wildcard(self):
        self.assertMatches("Conta", ["Contabilitate", "Contabilità", "Contable", "Contabil şef"])
        self.assertNotMatches("Conta", ["Accounting", "Ufficio Contabilità", "Manager"])

    def test_wildcard_at_start(self):
        self.assertMatches("%Manage", ["Manager", "Project Management", "General manager"])
        self.assertNotMatches("%Manage", ["Contabilitate", "Managing Director"])

    def test_wildcard_in_the_middle(self):
        self.assertMatches("Dir%Fin", ["Director Financiar", "Direttore Finanziario"])
        self.assertNotMatches("Dir%Fin", ["Finance Director", "Directeur Commercial"])

    def test_case_and_accents(self):
        self.assertMatches("conta", ["CONTABILITATE"])
        self.assertMatches("contabilita", ["Contabilità"])
        self.assertMatches("KSIEGOWOSC", ["Księgowość"])
        self.assertMatches("Księg", ["ksiegowosc"])

    def test_several_patterns(self):
        self.assertMatches("Conta, %Manage", ["Contabilitate", "Project Manager"])
        self.assertMatches(" Amministr ,Księg", ["Amministrazione", "Księgowość"])
        self.assertNotMatches("Conta, %Manage", ["Sales", "Director"])

    def test_regex_characters_are_literal(self):
        self.assertMatches("C.E.O", ["C.E.O."])
        self.assertNotMatches("C.E.O", ["CxExO"])

    def test_empty_list_selects_nothing_in_particular(self):
        for patterns in ("", None, " , ,"):
            self.assertIsNone(compile_function_patterns(patterns))
