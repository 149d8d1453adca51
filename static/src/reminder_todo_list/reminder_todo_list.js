import { evaluateBooleanExpr } from "@web/core/py_js/py";
import { registry } from "@web/core/registry";
import { ListController } from "@web/views/list/list_controller";
import { listView } from "@web/views/list/list_view";

/**
 * Reminders to handle: the header buttons may test
 * `context.get('reminder_todo_count')`, the number of lines shown, so that
 * "Send All Shown" does not offer to send an empty list.
 */
export class ReminderTodoListController extends ListController {
    evalViewModifier(modifier) {
        const evalContext = this.model.root.evalContext;
        return evaluateBooleanExpr(modifier, {
            ...evalContext,
            context: { ...evalContext, reminder_todo_count: this.model.root.count },
        });
    }
}

registry.category("views").add("reminder_todo_list", {
    ...listView,
    Controller: ReminderTodoListController,
});
