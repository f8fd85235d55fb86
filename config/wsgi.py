"""WSGI entry point (gunicorn config.wsgi).

gunicorn imports this module once, in the master (`preload_app`), and forks
the workers from it. The URLconf is imported here too: Django imports it on
the first request a process serves, and that import (the API, the admin,
drf-spectacular's views) took ~45 ms of a new worker's first request, 60-90
ms in all. A worker recycled under load (`max_requests`) then answers its
first request warm, and the workers share those modules' memory with the
master (docs/performance.md, "Seventh round").
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 -- imports the URLconf now, not on the first request
