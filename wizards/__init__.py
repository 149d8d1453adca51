from . import reminder_dunning_preview
from . import reminder_recurrence_rule_wizard
from . import mail_compose_message
from . import reminder_postpone
from . import reminder_generic_document
