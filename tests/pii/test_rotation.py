"""A blind-index key rotation cannot create duplicates: while the configured
BLIND_INDEX_KEY_VERSION is newer than the key check's, writes that need an
email (or address) digest answer 503; reads go on; `rebuild_search_index`
ends the rotation, and reports duplicates instead of failing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from pii.core import blind_index, keycheck
from pii.models import Profile
from tests.support import ADDRESS, PROFILES_URL, addresses_url, assert_problem, make_profile

pytestmark = pytest.mark.django_db

ROTATED = {"BLIND_INDEX_KEY": "rotated-blind-index-key", "BLIND_INDEX_KEY_VERSION": 2}
ROTATION_MESSAGE = "A blind-index key rotation is in progress; run rebuild_search_index."


@pytest.fixture(autouse=True)
def _answers_not_exceptions(api_client) -> None:
    # A 5xx is reported (got_request_exception); the test client would re-raise it.
    api_client.raise_request_exception = False


@pytest.fixture(autouse=True)
def _fresh_status():
    keycheck.forget()
    yield
    keycheck.forget()


def test_get_or_create_of_an_existing_email_answers_503_during_rotation(api_client) -> None:
    existing = make_profile(email="kept@example.org")
    with override_settings(**ROTATED):
        response = api_client.post(PROFILES_URL, {"email": "kept@example.org"}, format="json")
        read = api_client.get(f"{PROFILES_URL}/{existing.pk}")

    assert assert_problem(response, 503)["message"] == ROTATION_MESSAGE
    assert read.status_code == 200
    assert Profile.objects.count() == 1


def test_patch_of_the_email_answers_503_during_rotation_other_fields_go_on(api_client) -> None:
    profile = api_client.post(PROFILES_URL, {"email": "p@example.org"}, format="json").json()
    with override_settings(**ROTATED):
        email = api_client.patch(
            f"{PROFILES_URL}/{profile['id']}",
            {"last_updated_at": profile["updated_at"], "email": "q@example.org"},
            format="json",
        )
        name = api_client.patch(
            f"{PROFILES_URL}/{profile['id']}",
            {"last_updated_at": profile["updated_at"], "full_name": "Ana"},
            format="json",
        )
    assert_problem(email, 503)
    assert name.status_code == 200


def test_address_get_or_create_answers_503_during_rotation(api_client) -> None:
    profile = make_profile()
    with override_settings(**ROTATED):
        response = api_client.post(addresses_url(profile.pk), ADDRESS, format="json")
    assert_problem(response, 503)


def test_the_rebuild_ends_the_rotation(api_client) -> None:
    existing = make_profile(email="kept@example.org")
    with override_settings(**ROTATED):
        call_command("rebuild_search_index", stdout=StringIO())
        again = api_client.post(PROFILES_URL, {"email": "KEPT@example.org"}, format="json")
        assert keycheck.evaluate() == keycheck.OK

    assert again.status_code == 200
    assert again.json()["id"] == existing.pk


def test_the_rebuild_reports_duplicates_and_finishes_the_rest() -> None:
    """Two profiles of one mailbox (as an unguarded rotation made them): one
    keeps its digest, the other is reported by id; the rest is rebuilt."""
    first = make_profile(email="dup@example.org")
    other = make_profile(email="other@example.org")
    second = make_profile(email="elsewhere@example.org")
    with override_settings(**ROTATED):
        # The duplicate an unguarded write made during the rotation, under the new key.
        Profile.objects.filter(pk=second.pk).update(
            email="dup@example.org",
            email_digest=blind_index.digest("email-eq", "dup@example.org"),
            blind_index_version=2,
        )
        out = StringIO()
        call_command("rebuild_search_index", stdout=out)

        text = out.getvalue()
        assert f"Duplicate: profile {first.pk} has the same canonical email as profile " in text
        assert second.pk in text
        assert "dup@example.org" not in text
        assert Profile.objects.get(pk=other.pk).blind_index_version == 2
        assert keycheck.evaluate() == keycheck.OK
        # Run again: still reported, never an IntegrityError.
        call_command("rebuild_search_index", stdout=StringIO())
