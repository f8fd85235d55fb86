"""The back office (docs/admin.md): profiles, deletion requests, tokens, API keys,
and a landing page with what needs attention.

This package is light on purpose: Django imports `pii.admin.site` (and so this
`__init__`) while it builds `admin.site`, so nothing here may register on
`admin.site` yet. `pii.apps.PiiAdminConfig.ready()` imports the ModelAdmin
modules (`api_keys`, `deletion_requests`, `profiles`, `tokens`) once the site
exists, and registers pii's dashboard counts.
"""
