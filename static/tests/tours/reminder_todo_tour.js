import { registry } from "@web/core/registry";

// Data: tests/test_dunning_todo.py (TestDunningTodoTour): Bihor 10 days
// late, Rossi 20 days late, Tulcea due in 2 days (courtesy).
registry.category("web_tour.tours").add("reminder_todo_tour", {
    steps: () => [
        {
            content: "The handler lands on Reminders to handle",
            trigger: ".o_list_view .o_data_row:contains(Tulcea)",
        },
        {
            content: "The systray shows three reminders waiting",
            trigger: ".o_reminder_todo_systray .o_reminder_todo_counter:contains(3)",
        },
        {
            content: "Open the filters",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Only those not due yet",
            trigger: ".o_filter_menu .o-dropdown-item:contains(Not Yet Due)",
            run: "click",
        },
        {
            content: "Only Tulcea is left",
            trigger: ".o_list_view:not(:has(.o_data_row:contains(Bihor))) .o_data_row:contains(Tulcea)",
        },
        {
            content: "Preview Tulcea's reminder",
            trigger: ".o_data_row:contains(Tulcea) button[name=action_preview]",
            run: "click",
        },
        {
            content: "The preview shows the recipients",
            trigger: ".modal .o_field_widget[name=recipients]:contains(ana@tulcea.example)",
        },
        {
            content: "Close the preview",
            trigger: ".modal .modal-footer button:contains(Close)",
            run: "click",
        },
        {
            content: "Remove the filter (the default one, Due Now, stays)",
            trigger: ".o_searchview_facet:contains(Not Yet Due) .o_facet_remove",
            run: "click",
        },
        {
            content: "Select Bihor",
            trigger: ".o_data_row:contains(Bihor) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Select Rossi",
            trigger: ".o_data_row:contains(Rossi) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Send the selected lines",
            trigger: ".o_control_panel button[name=action_send_selected]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The notification counts the reminders sent",
            trigger: ".o_notification:contains(2 reminders sent)",
        },
        {
            content: "The sent lines are gone",
            trigger: ".o_list_view:not(:has(.o_data_row:contains(Bihor))):not(:has(.o_data_row:contains(Rossi))) .o_data_row:contains(Tulcea)",
        },
        {
            content: "The systray count went down",
            trigger: ".o_reminder_todo_systray .o_reminder_todo_counter:contains(1)",
        },
    ],
});
