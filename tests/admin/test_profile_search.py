"""The profile list's search box: the API's blind-index search, plus exact ids.

It must find partial emails, names (accents and case ignored) and phone
digits without decrypting the table: the decrypt counter proves it.
"""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from pii.models import Profile
from tests.support import ADMIN_PROFILES_URL, page_text


@pytest.fixture
def decrypts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts Fernet decryptions (every encrypted value read goes through one)."""
    calls = [0]
    original = Fernet.decrypt

    def counting(self: Fernet, token: bytes, ttl: int | None = None) -> bytes:
        calls[0] += 1
        return original(self, token, ttl)

    monkeypatch.setattr(Fernet, "decrypt", counting)
    return calls


@pytest.fixture
def people(make_profile) -> dict[str, Profile]:
    return {
        "jane": make_profile(
            email="jane.doe@example.org", full_name="Jane Doe", phone_number="+4915112345678"
        ),
        "zoe": make_profile(
            email="z.mueller@example.net", full_name="Zoë Müller", phone_number="+33612345699"
        ),
        "john": make_profile(
            email="john.smith@example.com", full_name="John Smith", phone_number="+12025550143"
        ),
    }


def found(response, people: dict[str, Profile]) -> set[str]:
    """Which of `people` appear on the page (by display id, never PII)."""
    assert response.status_code == 200
    text = page_text(response)
    return {name for name, profile in people.items() if profile.display_id in text}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("e.do", {"jane"}),  # a fragment of an email
        ("EXAMPLE.ORG", {"jane"}),  # case ignored
        ("zoe mul", {"zoe"}),  # accents ignored (stored "Zoë Müller")
        ("MÜLLER", {"zoe"}),
        ("smi", {"john"}),
        ("151-1234", {"jane"}),  # phone digits, with punctuation
        ("+3361234", {"zoe"}),
        ("example", {"jane", "zoe", "john"}),
        ("nobody-here", set()),
    ],
)
@pytest.mark.django_db
def test_search_finds_fragments_of_email_name_and_phone(officer_client, people, q, expected):
    response = officer_client.get(ADMIN_PROFILES_URL, {"q": q})

    assert found(response, people) == expected


@pytest.mark.django_db
def test_search_by_exact_profile_id(officer_client, people):
    response = officer_client.get(ADMIN_PROFILES_URL, {"q": people["zoe"].pk})

    assert found(response, people) == {"zoe"}


@pytest.mark.django_db
def test_search_by_display_id_in_any_letter_case(officer_client, people):
    response = officer_client.get(ADMIN_PROFILES_URL, {"q": people["john"].display_id.lower()})

    assert found(response, people) == {"john"}


@pytest.mark.django_db
def test_a_search_shorter_than_three_characters_shows_a_warning_and_nothing(officer_client, people):
    response = officer_client.get(ADMIN_PROFILES_URL, {"q": "ja"})

    assert found(response, people) == set()
    assert "Type at least 3 characters to search" in page_text(response)
    assert "q must" not in page_text(response).lower()  # the API's parameter name


@pytest.mark.django_db
def test_an_overlong_search_shows_a_warning_and_nothing(officer_client, people):
    response = officer_client.get(ADMIN_PROFILES_URL, {"q": "example" * 40})

    assert found(response, people) == set()
    assert "at most 256 characters" in page_text(response)


@pytest.mark.django_db
def test_search_decrypts_only_candidates_not_the_table(officer_client, make_profile, decrypts):
    for i in range(40):
        make_profile(email=f"filler{i}@shop.example", full_name=f"Filler Person {i}")
    target = make_profile(email="needle.person@rare.example", full_name="Needle Person")
    decrypts[0] = 0

    response = officer_client.get(ADMIN_PROFILES_URL, {"q": "needle"})

    assert response.status_code == 200
    assert target.display_id in page_text(response)
    # The candidate's email (verification) and one page load (4 fields): a
    # handful, where scanning the table would decrypt 41 emails at least.
    assert decrypts[0] <= 6


@pytest.mark.django_db
def test_the_list_decrypts_one_page_only(officer_client, make_profile, decrypts):
    for i in range(120):
        make_profile(email=f"person{i}@shop.example", full_name=f"Person {i}", phone_number=None)
    decrypts[0] = 0

    response = officer_client.get(ADMIN_PROFILES_URL)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 50
    # One page of 50 rows, email and name each (phone is NULL, attributes are
    # not loaded); 120 rows would take 240 or more.
    assert decrypts[0] == 100


@pytest.mark.django_db
def test_search_results_are_paged_with_the_engine_total(officer_client, make_profile):
    for i in range(60):
        make_profile(email=f"buyer{i}@paged.example")
    make_profile(email="other@elsewhere.example")

    first = officer_client.get(ADMIN_PROFILES_URL, {"q": "paged.exam"})
    second = officer_client.get(ADMIN_PROFILES_URL, {"q": "paged.exam", "p": 2})

    assert first.context["cl"].result_count == 60
    assert len(first.context["cl"].result_list) == 50
    assert len(second.context["cl"].result_list) == 10
    shown = {p.pk for p in first.context["cl"].result_list} | {
        p.pk for p in second.context["cl"].result_list
    }
    assert len(shown) == 60
    assert "60 profiles" in page_text(first)


@pytest.mark.django_db
def test_search_follows_the_column_ordering(officer_client, make_profile):
    older = make_profile(email="first@order.example")
    newer = make_profile(email="second@order.example")

    default = officer_client.get(ADMIN_PROFILES_URL, {"q": "order.example"})
    # Column 5 is created_at; "o=5" sorts it ascending.
    ascending = officer_client.get(ADMIN_PROFILES_URL, {"q": "order.example", "o": "5"})

    assert [p.pk for p in default.context["cl"].result_list] == [newer.pk, older.pk]
    assert [p.pk for p in ascending.context["cl"].result_list] == [older.pk, newer.pk]


@pytest.mark.django_db
def test_a_page_beyond_the_results_is_refused(officer_client, people):
    response = officer_client.get(ADMIN_PROFILES_URL, {"q": "example", "p": 5})

    # The admin's answer to a bad page: back to the list with ?e=1.
    assert response.status_code == 302
    assert "e=1" in response.url
