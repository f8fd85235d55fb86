"""`manage.py create_api_key NAME [--scopes a,b,...]`: a new API key, shown once.

The key is printed alone on the last line so scripts can take it with
`tail -n 1`; only its SHA-512 digest is stored. The key is made by
`pii.api_keys.services.api_key_create`, as in the admin.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from pii.api_keys.services import NAME_MAX_LENGTH, api_key_create
from pii.audit.context import command_context
from pii.audit.purposes import PURPOSES
from pii.core.errors import InvalidInput
from pii.core.scopes import all_scopes


class Command(BaseCommand):
    help = (
        "Create an API key and print it (shown once, alone on the last line). "
        "Scopes default to all: " + ", ".join(all_scopes()) + "."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "name", help=f"What the key is for, e.g. `checkout` (max {NAME_MAX_LENGTH} chars)."
        )
        parser.add_argument(
            "--scopes",
            help="Comma-separated scopes, e.g. `profiles:read,profiles:write` (default: all).",
        )
        parser.add_argument(
            "--purposes",
            default="",
            help="Comma-separated access purposes the key must declare one of "
            f"(X-Access-Purpose; default: any): {', '.join(PURPOSES)}.",
        )

    def handle(
        self, *args: Any, name: str, scopes: str | None, purposes: str, **options: Any
    ) -> None:
        asked = all_scopes() if scopes is None else scopes.split(",")
        try:
            with command_context("create_api_key"):
                api_key, key = api_key_create(
                    name=name, scopes=asked, purposes=purposes.split(","), now=timezone.now()
                )
        except InvalidInput as exc:
            if exc.errors and "name" in exc.errors:
                raise CommandError(f"NAME must be 1 to {NAME_MAX_LENGTH} characters.") from exc
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Created API key {api_key.name!r} (prefix {api_key.prefix}, "
            f"scopes: {', '.join(api_key.scopes)}; "
            f"purposes: {', '.join(api_key.purposes) or 'any'}). "
            "The key is shown only this once; store it now:"
        )
        self.stdout.write(key)
