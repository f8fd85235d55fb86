"""One profile per mailbox: the email digest uses the canonical form (NFKC, the
domain in IDNA UTS #46 form, the local part lower-cased, not case-folded);
format and control characters are refused with 422."""

from __future__ import annotations

import unicodedata
from io import StringIO

import pytest
from django.core.management import call_command

from pii.core import blind_index
from pii.models import Profile
from pii.profiles.services import email_digest
from tests.support import PROFILES_URL, assert_problem, make_profile

pytestmark = pytest.mark.django_db


def post(client, email: str):
    return client.post(PROFILES_URL, {"email": email}, format="json")


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\ufeff", "\u0007"])
def test_format_and_control_characters_are_refused(api_client, invisible: str) -> None:
    post(api_client, "x@example.org")

    response = post(api_client, f"x@example.org{invisible}")

    body = assert_problem(response, 422)
    assert "email" in body["errors"]
    assert Profile.objects.count() == 1


def test_precomposed_and_decomposed_forms_are_one_profile(api_client) -> None:
    precomposed = "x@ex\u00e1mple.org"
    decomposed = unicodedata.normalize("NFD", precomposed)
    assert precomposed != decomposed

    first = post(api_client, precomposed)
    second = post(api_client, decomposed)

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]


def test_a_halfwidth_hangul_filler_in_the_domain_is_the_same_mailbox(api_client) -> None:
    first = post(api_client, "x@example.org")
    second = post(api_client, "x@exa\uffa0mple.org")

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Profile.objects.count() == 1


def test_strasse_and_straße_are_two_mailboxes(api_client) -> None:
    sharp = post(api_client, "x@straße.de")
    double = post(api_client, "x@STRASSE.DE")

    assert (sharp.status_code, double.status_code) == (201, 201)
    assert sharp.json()["id"] != double.json()["id"]


def test_letter_case_and_spaces_still_make_one_profile(api_client) -> None:
    first = post(api_client, "Ana.Lopez@Example.ORG")
    second = post(api_client, "  ana.lopez@example.org ")

    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]


def test_the_email_is_stored_as_sent(api_client) -> None:
    created = post(api_client, "X@STRASSE.DE").json()
    assert api_client.get(f"{PROFILES_URL}/{created['id']}").json()["email"] == "X@STRASSE.DE"


@pytest.mark.parametrize(
    ("email", "canonical"),
    [
        ("X@STRASSE.DE", "x@strasse.de"),
        ("x@straße.de", "x@xn--strae-oqa.de"),
        ("\u1e9ex@example.org", "\u00dfx@example.org"),  # lower(), not casefold()
        ("x@exa\uffa0mple.org", "x@example.org"),
        ("\uff58@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.org", "x@example.org"),  # NFKC
    ],
)
def test_the_canonical_form(email: str, canonical: str) -> None:
    assert blind_index.normalize_email(email) == canonical


def test_rebuild_redigests_with_the_canonical_form_and_reports_collisions() -> None:
    """Rows stored under the old normalization (case folding, no IDNA): the
    rebuild re-digests them, and a collision is reported by id, not raised."""
    kept = make_profile(email="x@example.org")
    # Stored before the canonical form: U+200B was accepted, digested casefolded.
    legacy = make_profile(email="other@example.org")
    Profile.objects.filter(pk=legacy.pk).update(
        email="x@example.org\u200b",
        email_digest=blind_index.digest("email-eq", "x@example.org\u200b".casefold()),
    )
    folded = make_profile(email="y@strasse.de")
    Profile.objects.filter(pk=folded.pk).update(
        email="y@straße.de", email_digest=blind_index.digest("email-eq", "y@strasse.de")
    )
    out = StringIO()

    call_command("rebuild_search_index", "--all", stdout=out)

    text = out.getvalue()
    assert f"Duplicate: profile {legacy.pk} has the same canonical email as profile {kept.pk}" in (
        text
    )
    assert "x@example.org" not in text
    assert Profile.objects.get(pk=folded.pk).email_digest == email_digest("y@straße.de")
    assert Profile.objects.get(pk=kept.pk).email_digest == email_digest("x@example.org")
