import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useBus, useService } from "@web/core/utils/hooks";

/** Seconds between two refreshes of the counter. */
export const REFRESH_INTERVAL = 60;

/**
 * Systray counter of "Reminders to handle" (dunning handlers only): the
 * number of reminders waiting, live from the server every minute and
 * pushed by the server (bus) whenever the dashboard is recomputed, and
 * recounted whenever the dashboard is shown.
 */
export class ReminderTodoSystray extends Component {
    static template = "reminder_automation.ReminderTodoSystray";
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.busService = useService("bus_service");
        this.state = useState({ visible: false, count: 0, title: "" });
        onWillStart(async () => {
            this.state.visible = await user.hasGroup("reminder_automation.group_reminder_dunning");
            if (this.state.visible) {
                await this.refresh();
            }
        });
        // the dashboard was opened or reloaded (e.g. after a send): recount
        useBus(this.env.bus, "ACTION_MANAGER:UI-UPDATED", () => {
            if (this.state.visible && this.action.currentController?.action?.res_model === "reminder.todo") {
                this.refresh();
            }
        });
        const onCount = (payload) => {
            this.state.count = payload.count;
        };
        this.busService.subscribe("reminder_todo/count", onCount);
        const interval = browser.setInterval(() => this.state.visible && this.refresh(), REFRESH_INTERVAL * 1000);
        onWillUnmount(() => {
            browser.clearInterval(interval);
            this.busService.unsubscribe("reminder_todo/count", onCount);
        });
    }

    async refresh() {
        const data = await this.orm.call("reminder.todo", "get_systray_data", []);
        this.state.count = data.count;
        this.state.title = data.sections.map((section) => `${section.name}: ${section.count}`).join("\n");
    }

    onClick() {
        this.action.doAction("reminder_automation.action_reminder_todo_open", { clearBreadcrumbs: true });
    }
}

registry
    .category("systray")
    .add("reminder_automation.ReminderTodoSystray", { Component: ReminderTodoSystray }, { sequence: 30 });
