import { registry } from "@web/core/registry";

// Data: tests/test_meeting_reminder.py (TestMeetingReminderTour): a meeting
// reminding its customer's contact, Jan Kowalski, who has no mobile.
registry.category("web_tour.tours").add("reminder_meeting_tour", {
    steps: () => [
        {
            content: "Open the Reminders tab of the meeting",
            trigger: ".o_form_view .o_notebook .nav-link:contains(Reminders)",
            run: "click",
        },
        {
            content: "Switch the customer's reminder to SMS",
            trigger: ".o_field_widget[name=reminder_customer_channel] input[data-value=sms]",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The error names the participant and the missing mobile",
            trigger: ".modal:contains(Jan Kowalski):contains(no mobile number):contains(SMS Number)",
        },
        {
            content: "Close the error",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Type the mobile on the tab",
            trigger: ".o_field_widget[name=reminder_customer_phone] input",
            run: "edit 601 999 888",
        },
        {
            content: "Save again",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: the meeting has its SMS reminder",
            trigger: ".o_field_widget[name=reminder_ids] .o_data_row:contains(SMS)",
        },
    ],
});
