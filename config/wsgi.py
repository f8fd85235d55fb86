"""WSGI entry point (gunicorn config.wsgi).

gunicorn imports this module once, in the master (`preload_app`), and forks
the workers from it. The URLconf is imported here too: Django imports it on
the first request a process serves, and that import (the API, the admin,
drf-spectacular's views) took ~45 ms of a new worker's first request, 73-78
ms in all (30-33 ms now). A worker recycled under load (`max_requests`) then
answers its first request warm (scripts/bench_first_request.py,
docs/performance.md, "Seventh round").
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 -- imports the URLconf now, not on the first request
