"""`X-Access-Purpose` in the OpenAPI document (docs/audit.md, "Purposes").

The header is read by `pii.api.auth.HasScope` for every operation, so it is
declared on every operation of the API by a drf-spectacular postprocessing
hook (SPECTACULAR_SETTINGS), with the two answers it can cause: 400 for a
value outside the list, 403 for a key limited to other purposes.
"""

from __future__ import annotations

from typing import Any

from pii.api.openapi import PROBLEM_MEDIA_TYPE
from pii.audit.purposes import PURPOSE_HEADER, PURPOSES

PURPOSE_PARAMETER = {
    "in": "header",
    "name": PURPOSE_HEADER,
    "required": False,
    "schema": {"type": "string", "enum": list(PURPOSES)},
    "description": (
        "Why the data is accessed; recorded in the access log. Optional, unless the "
        "API key is limited to purposes: then one of the key's purposes is required."
    ),
}
UNKNOWN_PURPOSE = f"An unknown `{PURPOSE_HEADER}` value."
OTHER_PURPOSE = (
    f"The API key is limited to purposes and `{PURPOSE_HEADER}` is missing or another one."
)
_OPERATIONS = frozenset({"get", "put", "post", "patch", "delete"})


def declare_access_purpose(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the header, and its 400 and 403,
    on every operation that authenticates with an API key."""
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _OPERATIONS or not operation.get("security"):
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == PURPOSE_HEADER for p in parameters):
                parameters.append(dict(PURPOSE_PARAMETER))
            responses = operation.setdefault("responses", {})
            _mention(responses, "400", UNKNOWN_PURPOSE)
            _mention(responses, "403", OTHER_PURPOSE)
    return result


def _mention(responses: dict[str, Any], status: str, cause: str) -> None:
    """Add `cause` to the response's description (the response made if missing)."""
    response = responses.setdefault(
        status,
        {
            "description": "",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        },
    )
    described = response.get("description", "")
    if cause not in described:
        response["description"] = f"{described} Or: {cause}" if described else cause
