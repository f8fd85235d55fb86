"""What the tests share: the API's paths, API keys and clients, objects made through
the services (profiles, addresses, data entries, deletion requests, tokens), and
the one problem+json assertion.

Plain functions: test modules import them from here (`from tests.support import
...`), never from a conftest; the fixtures in the conftest files wrap them.
"""

from tests.support.admin import *  # noqa: F403
from tests.support.api import *  # noqa: F403
from tests.support.metrics import *  # noqa: F403
from tests.support.process import *  # noqa: F403
