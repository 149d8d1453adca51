from . import cron_batch
from . import item_table
