import { registry } from "@web/core/registry";

// Data: tests/test_dispatch.py (TestDispatchTour): posted invoices of Acme
// (accounting contact subscribed), Removed and Nomail (no e-mail address).
registry.category("web_tour.tours").add("reminder_dispatch_tour", {
    steps: () => [
        {
            content: "Create a dispatch batch",
            trigger: ".o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "Choose the invoices",
            trigger: ".o_field_widget[name=document_type_ids] input",
            run: "edit Customer Invoice",
        },
        {
            content: "Select the document type",
            trigger: ".o-autocomplete--dropdown-item:contains(Customer Invoice)",
            run: "click",
        },
        {
            content: "Prepare the batch",
            trigger: ".o_form_view button[name=action_prepare]",
            run: "click",
        },
        {
            content: "Acme's invoice is routed to its accountant",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(Acme):contains(ada@acme.example)",
        },
        {
            content: "Remove the line of Removed",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(Removed) .o_list_record_remove",
            run: "click",
        },
        {
            content: "The line is gone",
            trigger: ".o_field_widget[name=line_ids]:not(:has(.o_data_row:contains(Removed))) .o_data_row:contains(Nomail)",
        },
        {
            content: "Send the batch",
            trigger: ".o_form_view button[name=action_send]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The batch is done",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Done)",
        },
        {
            content: "Open the error list",
            trigger: ".o_notebook .nav-link:contains(Errors)",
            run: "click",
        },
        {
            content: "Nomail's invoice could not be sent, and why",
            trigger: ".o_field_widget[name=error_line_ids] .o_data_row:contains(Nomail):contains(No valid e-mail address)",
        },
    ],
});
