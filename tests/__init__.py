from . import test_function_patterns
from . import test_routing
from . import test_phone
from . import test_pec
from . import test_confidential
