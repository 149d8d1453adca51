from . import reminder_dunning_letter
