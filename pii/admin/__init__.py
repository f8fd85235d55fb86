"""The back office (docs/admin.md): profiles, deletion requests, tokens, API keys,
and a landing page with what needs attention.

A package; importing it (admin autodiscovery) registers every ModelAdmin.
"""

from __future__ import annotations

from django.contrib import admin

from pii.admin import api_keys, deletion_requests, profiles, tokens
from pii.admin.dashboard import install

admin.site.site_header = "PII service"
admin.site.site_title = "PII service admin"
admin.site.index_title = "Back office"
# The service has no public site to link to.
admin.site.site_url = None
install(admin.site)

__all__ = ["api_keys", "deletion_requests", "profiles", "tokens"]
