from . import test_function_patterns
from . import test_routing
from . import test_phone
from . import test_pec
from . import test_confidential
from . import test_dunning
from . import test_recurrence
from . import test_recurrence_invoice
