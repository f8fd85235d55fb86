"""`manage.py create_api_key NAME [--scopes a,b,...]`: a new API key, shown once.

The key is printed alone on the last line so scripts can take it with
`tail -n 1`; only its SHA-512 digest is stored.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from pii.models import SCOPES, ApiKey

NAME_MAX_LENGTH = ApiKey._meta.get_field("name").max_length


def parse_scopes(raw: str | None) -> list[str]:
    """`"a, b,a"` -> `["a", "b"]` (SCOPES order); CommandError naming unknown scopes."""
    if raw is None:
        return list(SCOPES)
    asked = {part.strip() for part in raw.split(",") if part.strip()}
    if not asked:
        raise CommandError("--scopes needs at least one scope: " + ", ".join(SCOPES) + ".")
    unknown = sorted(asked - set(SCOPES))
    if unknown:
        raise CommandError(
            "Unknown scope(s): " + ", ".join(unknown) + ". Known scopes: " + ", ".join(SCOPES) + "."
        )
    return [scope for scope in SCOPES if scope in asked]


class Command(BaseCommand):
    help = (
        "Create an API key and print it (shown once, alone on the last line). "
        "Scopes default to all: " + ", ".join(SCOPES) + "."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="What the key is for, e.g. `checkout` (max 50 chars).")
        parser.add_argument(
            "--scopes",
            help="Comma-separated scopes, e.g. `profiles:read,profiles:write` (default: all).",
        )

    def handle(self, *args: Any, name: str, scopes: str | None, **options: Any) -> None:
        name = name.strip()
        if not name or len(name) > NAME_MAX_LENGTH:
            raise CommandError(f"NAME must be 1 to {NAME_MAX_LENGTH} characters.")
        granted = parse_scopes(scopes)
        with transaction.atomic():
            api_key, key = ApiKey.objects.create_key(name=name, scopes=granted)
        self.stdout.write(
            f"Created API key {name!r} (prefix {api_key.prefix}, scopes: {', '.join(granted)}). "
            "The key is shown only this once; store it now:"
        )
        self.stdout.write(key)
