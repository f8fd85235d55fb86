"""Commands record their runs: the command is the actor, counts are the details."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from pii.models import AccessEvent
from tests.support import make_profile

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("command", "action", "counted"),
    [
        ("purge_expired", "purge.run", "tokens"),
        ("reencrypt", "reencrypt.run", "pii.Profile"),
        ("rebuild_search_index", "search_index.rebuild", "profiles"),
    ],
)
def test_a_command_run_is_one_event_with_its_counts(command, action, counted):
    make_profile()

    call_command(command, stdout=io.StringIO())

    (event,) = AccessEvent.objects.filter(action=action)
    assert (event.actor_type, event.actor_name, event.outcome) == ("command", command, 200)
    assert counted in event.details["counts"]


def test_a_dry_run_purge_records_nothing():
    call_command("purge_expired", "--dry-run", stdout=io.StringIO())

    assert not AccessEvent.objects.filter(action="purge.run").exists()
