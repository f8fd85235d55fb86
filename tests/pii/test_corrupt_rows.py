"""One row that no configured key decrypts (corruption) costs only itself: the
list and the search answer the other profiles and log its id at ERROR, a GET of
that profile answers 500 problem+json, `reencrypt` and `rebuild_search_index`
report it and finish the rest."""

from __future__ import annotations

import logging
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from fernet_fields.hkdf import derive_fernet_key

from pii.models import Profile
from tests.support import PROFILES_URL, assert_problem, make_profile

pytestmark = pytest.mark.django_db


def corrupt(profile: Profile, column: str = "email") -> None:
    """Overwrite one column with a value encrypted under a key nobody configured."""
    token = Fernet(derive_fernet_key("a-key-nobody-configured")).encrypt(b"lost@example.org")
    table = Profile._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608
            [connection.Database.Binary(token), profile.pk],
        )


@pytest.fixture
def profiles() -> tuple[Profile, Profile, Profile]:
    one = make_profile(email="one@example.org", full_name="Searchable One")
    bad = make_profile(email="bad@example.org", full_name="Searchable Bad")
    two = make_profile(email="two@example.org", full_name="Searchable Two")
    corrupt(bad)
    corrupt(bad, "full_name")
    return one, bad, two


@pytest.mark.parametrize(
    "params",
    [{}, {"sort": "email"}, {"sort": "-updated_at"}, {"q": "searchable"}, {"q": "example.org"}],
)
def test_the_list_and_search_answer_the_other_profiles(api_client, profiles, caplog, params):
    one, bad, two = profiles
    with caplog.at_level(logging.ERROR):
        response = api_client.get(PROFILES_URL, params)

    assert response.status_code == 200
    ids = {p["id"] for p in response.json()["profiles"]}
    assert ids == {one.pk, two.pk}
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any(bad.pk in r.getMessage() for r in errors)
    assert all("lost@example.org" not in r.getMessage() for r in errors)


def test_get_of_the_unreadable_profile_answers_500_problem(api_client, profiles) -> None:
    api_client.raise_request_exception = False
    _, bad, two = profiles

    response = api_client.get(f"{PROFILES_URL}/{bad.pk}")

    body = assert_problem(response, 500)
    assert body["message"].startswith("The stored object cannot be decrypted.")
    assert api_client.get(f"{PROFILES_URL}/{two.pk}").status_code == 200


def test_reencrypt_reports_the_row_and_continues(profiles) -> None:
    _, bad, _ = profiles
    out = StringIO()

    call_command("reencrypt", "--batch-size", "1", stdout=out)

    text = out.getvalue()
    assert f"pii.Profile: row {bad.pk} cannot be decrypted with any key; skipped." in text
    assert "pii.Profile: re-encrypted 2 rows" in text


def test_rebuild_reports_the_row_and_continues(profiles) -> None:
    _, bad, _ = profiles
    out = StringIO()

    call_command("rebuild_search_index", "--all", stdout=out)

    text = out.getvalue()
    assert f"Unreadable: profile {bad.pk} cannot be decrypted; skipped." in text
    assert "Reindexed 2 profiles" in text


def test_patch_of_the_unreadable_profile_answers_500_problem(api_client, profiles) -> None:
    api_client.raise_request_exception = False
    _, bad, _ = profiles

    response = api_client.patch(
        f"{PROFILES_URL}/{bad.pk}",
        {"last_updated_at": "2020-01-01T00:00:00Z", "full_name": "x"},
        format="json",
    )

    assert assert_problem(response, 500)["message"].startswith("The stored object cannot")
