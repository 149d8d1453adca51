import { registry } from "@web/core/registry";

// Searching Settings for the app's words finds its section.
const steps = [];
for (const [word, label] of [
    ["remind", "Reminder Sender"],
    ["dunning", "Default Dunning Policy"],
    ["PEC", "Certified E-mail"],
]) {
    steps.push(
        {
            content: `Search Settings for "${word}"`,
            trigger: ".o_searchview_input",
            run: `edit ${word}`,
        },
        {
            content: `The Reminders section shows ${label}`,
            trigger: `.app_settings_block[data-key=reminder_automation]:not(.d-none) .o_setting_box:not(.d-none) .o_form_label:contains(${label}) .highlighter`,
        }
    );
}

registry.category("web_tour.tours").add("reminder_settings_search_tour", {
    steps: () => steps,
});
