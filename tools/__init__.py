from . import item_table
