"""The pii app's API routes (profiles, then tokens), one flat list: config/urls.py
puts them with the other apps' under the API prefix in one include (each nested
include is one more resolver and ResolverMatch per request)."""

from __future__ import annotations

from pii.api import profile_urls, token_urls

urlpatterns = [*profile_urls.urlpatterns, *token_urls.urlpatterns]
