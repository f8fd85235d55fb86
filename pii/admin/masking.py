"""How the admin shows PII to staff without the `pii.view_unmasked_pii` permission.

Enough to recognise a customer on the phone (first letters, the email domain,
the last two phone digits), not enough to contact or identify one. The masks
are computed from the decrypted values of the page being shown only.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

UNMASKED_PERMISSION = "pii.view_unmasked_pii"
MASK = "***"


def can_see_unmasked(request: HttpRequest) -> bool:
    """Staff holding "Can view unmasked PII" (superusers hold every permission)."""
    return request.user.has_perm(UNMASKED_PERMISSION)


def mask_email(email: str | None) -> str:
    """`jane.doe@example.org` -> `j***@example.org`."""
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at:
        return f"{email[:1]}{MASK}"
    return f"{local[:1]}{MASK}@{domain}"


def mask_name(name: str | None) -> str:
    """`Jane Doe` -> `J*** D***`."""
    if not name:
        return ""
    return " ".join(f"{word[:1]}{MASK}" for word in name.split())


def mask_phone(phone: str | None) -> str:
    """`+4915112345678` -> `+***78`."""
    if not phone:
        return ""
    digits = [ch for ch in phone if ch.isdigit()]
    prefix = "+" if phone.startswith("+") else ""
    return f"{prefix}{MASK}{''.join(digits[-2:])}"


def mask_attributes(attributes: dict[str, Any] | None) -> str:
    """Keys and data types only: `loyalty_id (string): ***, vip (boolean): ***`."""
    if not attributes:
        return ""
    return ", ".join(
        f"{key} ({entry.get('data_type', '?') if isinstance(entry, dict) else '?'}): {MASK}"
        for key, entry in sorted(attributes.items())
    )
