import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// Data: tests/test_italian_tour.py (TestItalianTour): a handler whose
// language is Italian, Bihor 10 days late, the policy "Standard".
registry.category("web_tour.tours").add("reminder_italian_tour", {
    steps: () => [
        {
            content: "The handler lands on Reminders to handle, in Italian",
            trigger: ".o_control_panel:contains(Solleciti da gestire)",
        },
        {
            content: "Bihor is listed under Italian column headers (When, What)",
            trigger: ".o_list_view:has(th:contains(Quando)):has(th:contains(Cosa)) .o_data_row:contains(Bihor)",
        },
        {
            content: "Send All Shown, in Italian",
            trigger: ".o_control_panel button[name=action_send_all_shown]:contains(Invia tutti quelli visualizzati)",
        },
        {
            content: "Search a customer nobody has",
            trigger: ".o_searchview_input",
            run: "edit Nessuno",
        },
        {
            content: "Search it",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Nothing shown: nothing to send, no Send All Shown",
            trigger: ".o_action:has(.o_view_nocontent):not(:has(button[name=action_send_all_shown]))",
        },
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Reminders app, named in Italian",
            trigger: ".o_app[data-menu-xmlid='reminder_automation.menu_reminder_root']:contains(Promemoria)",
            run: "click",
        },
        {
            content: "Open the configuration menu",
            trigger: ".dropdown-toggle[data-menu-xmlid='reminder_automation.menu_reminder_configuration']:contains(Configurazione)",
            run: "click",
        },
        {
            content: "Open the dunning policies",
            trigger: ".dropdown-item[data-menu-xmlid='reminder_automation.menu_reminder_dunning_policy']:contains(Politiche di sollecito)",
            run: "click",
        },
        {
            content: "Open the policy",
            trigger: ".o_data_row:contains(Standard) .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "The policy form is in Italian",
            trigger: ".o_form_view button[name=action_start_run]:contains(Avvia nuovo ciclo)",
        },
        {
            content: "Its levels too",
            trigger: ".o_notebook .nav-link:contains(Livelli)",
        },
        {
            content: "The level columns are in Italian",
            trigger: ".o_field_one2many th:contains(Giorni dalla scadenza)",
        },
    ],
});
