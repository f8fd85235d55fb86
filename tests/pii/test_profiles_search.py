"""GET /profiles through HTTP: q, sort, offset/count, pagination_info, query counts.

The search engine itself (pii.profiles.search) has its own tests; these check what a
client of the list operation sees.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pii.profiles.deletion import deletion_request_approve
from tests.support import (
    PROFILE_FIELDS,
    PROFILES_URL,
    assert_problem,
    create_profile,
    patch_profile,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)

PEOPLE = [
    {
        "email": "zoe.angstrom@example.com",
        "full_name": "Zoë Ångström",
        "phone_number": "+4915112345678",
    },
    {"email": "JOSE@Example.org", "full_name": "José Álvarez", "phone_number": "+34600111222"},
    {"email": "hans.mueller@example.de", "full_name": "Hans Müller", "phone_number": "+4930123456"},
    {"email": "anna@example.com", "full_name": "anna smith", "phone_number": None},
]


@pytest.fixture
def people(api_client):
    """Four profiles created one minute apart, in PEOPLE order."""
    created = []
    for i, fields in enumerate(PEOPLE):
        with time_machine.travel(T0 + timedelta(minutes=i), tick=False):
            created.append(create_profile(api_client, **fields))
    return created


def search(client, **params):
    return client.get(PROFILES_URL, params)


def emails(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["email"] for p in response.json()["profiles"]]


def test_list_without_q_answers_every_profile_newest_first(api_client, people):
    response = search(api_client)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"profiles", "pagination_info"}
    assert body["pagination_info"] == {"count": 4, "total": 4, "offset": 0}
    assert [p["id"] for p in body["profiles"]] == [p["id"] for p in reversed(people)]
    assert body["profiles"][0] == people[-1]
    assert set(body["profiles"][0]) == PROFILE_FIELDS


def test_empty_database_answers_an_empty_page(api_client):
    response = search(api_client)

    assert response.json() == {
        "profiles": [],
        "pagination_info": {"count": 0, "total": 0, "offset": 0},
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ZOË", ["zoe.angstrom@example.com"]),
        ("zoe", ["zoe.angstrom@example.com"]),
        ("angstrom", ["zoe.angstrom@example.com"]),
        ("ÅNGSTRÖM", ["zoe.angstrom@example.com"]),
        ("alvarez", ["JOSE@Example.org"]),
        ("jose@EXAMPLE", ["JOSE@Example.org"]),
        ("müll", ["hans.mueller@example.de"]),
        ("mull", ["hans.mueller@example.de"]),
        ("ANNA SM", ["anna@example.com"]),
        ("example.com", ["anna@example.com", "zoe.angstrom@example.com"]),
        ("nobody-like-this", []),
    ],
)
def test_q_matches_substrings_ignoring_case_and_accents(api_client, people, q, expected):
    assert emails(search(api_client, q=q)) == expected


@pytest.mark.parametrize(
    "q",
    ["+4915112345678", "4915112345678", "151 123", "+49 151-1234", "49-151-12345678", "1234567"],
)
def test_phone_digits_match_with_or_without_plus_spaces_or_dashes(api_client, people, q):
    assert emails(search(api_client, q=q)) == ["zoe.angstrom@example.com"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("+49", ["hans.mueller@example.de", "zoe.angstrom@example.com"]),
        ("+ 49", ["hans.mueller@example.de", "zoe.angstrom@example.com"]),
        ("+34", ["JOSE@Example.org"]),
    ],
)
def test_a_country_code_with_its_plus_finds_the_numbers_starting_with_it(
    api_client, people, q, expected
):
    # "+49" is three characters and a substring of "+4915112345678": a match,
    # although two digits alone are too short for the trigram index.
    assert emails(search(api_client, q=q)) == expected


def test_a_leading_plus_anchors_the_digits_at_the_start_of_the_number(api_client, people):
    # "+33 4915 ..." holds the digits 4915 too, but not at its start.
    other = create_profile(api_client, email="paul@example.fr", phone_number="+33491512345")

    assert emails(search(api_client, q="+4915")) == ["zoe.angstrom@example.com"]
    assert emails(search(api_client, q="+49 151")) == ["zoe.angstrom@example.com"]
    assert emails(search(api_client, q="4915")) == [
        other["email"],
        "zoe.angstrom@example.com",
    ]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("strasse", ["anna.strasse@example.com", "jo@strasse.de"]),
        ("Straße", ["anna.strasse@example.com", "jo@strasse.de"]),
        ("STRASSE", ["anna.strasse@example.com", "jo@strasse.de"]),
        ("raße", ["anna.strasse@example.com", "jo@strasse.de"]),
    ],
)
def test_sharp_s_and_ss_find_each_other(api_client, q, expected):
    # normalize_text case-folds: ß is ss, in the data and in q.
    create_profile(api_client, email="jo@strasse.de", full_name="Jo Weg")
    create_profile(api_client, email="anna.strasse@example.com", full_name="Anna Straße")

    assert emails(search(api_client, q=q)) == expected


@pytest.mark.parametrize("q", ["...", "---", "@@@", "😀😀😀", "+++", "((("])
def test_q_of_punctuation_or_emoji_only_is_a_search_like_any_other(api_client, people, q):
    response = search(api_client, q=q)

    assert response.json() == {
        "profiles": [],
        "pagination_info": {"count": 0, "total": 0, "offset": 0},
    }


def test_non_bmp_characters_are_found_and_counted_as_one_character(api_client):
    fan = create_profile(api_client, full_name="Ana 🎸 Rock")
    create_profile(api_client, full_name="Ana Rock")

    assert emails(search(api_client, q="🎸 r")) == [fan["email"]]
    # One emoji and two spaces: three characters, but one once spaces are ignored.
    assert_problem(search(api_client, q=" 🎸 "), 400)


def test_digits_find_emails_and_phones_alike(api_client, people):
    jan = create_profile(api_client, email="jan4930@example.com")

    assert emails(search(api_client, q="4930")) == [jan["email"], "hans.mueller@example.de"]


def test_pagination_info_reports_the_page(api_client, people):
    first = search(api_client, q="example", count=3).json()
    second = search(api_client, q="example", count=3, offset=3).json()
    beyond = search(api_client, q="example", count=3, offset=10).json()

    assert first["pagination_info"] == {"count": 3, "total": 4, "offset": 0}
    assert second["pagination_info"] == {"count": 1, "total": 4, "offset": 3}
    assert beyond == {"profiles": [], "pagination_info": {"count": 0, "total": 4, "offset": 10}}
    ids = [p["id"] for p in first["profiles"] + second["profiles"]]
    assert ids == [p["id"] for p in reversed(people)]


def test_default_count_is_10(api_client):
    for _ in range(12):
        create_profile(api_client)

    body = search(api_client).json()

    assert body["pagination_info"] == {"count": 10, "total": 12, "offset": 0}


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("-created_at", [3, 2, 1, 0]),
        ("created_at", [0, 1, 2, 3]),
        ("email", [3, 2, 1, 0]),
        ("-email", [0, 1, 2, 3]),
        ("full_name", [3, 2, 1, 0]),
        ("-full_name", [0, 1, 2, 3]),
    ],
)
def test_sort_orders_ignore_case(api_client, people, sort, order):
    # anna < hans < JOSE < zoe, and "anna smith" < "Hans" < "José" < "Zoë".
    expected = [people[i]["id"] for i in order]

    for q in (None, "example"):
        params = {"sort": sort} if q is None else {"sort": sort, "q": q}
        response = search(api_client, **params)
        assert [p["id"] for p in response.json()["profiles"]] == expected, q


def test_sort_by_updated_at(api_client, people):
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        patch_profile(api_client, people[1], store_id="moved")

    ascending = search(api_client, sort="updated_at").json()["profiles"]
    descending = search(api_client, sort="-updated_at").json()["profiles"]

    assert ascending[-1]["id"] == people[1]["id"]
    assert descending[0]["id"] == people[1]["id"]


def test_profiles_without_a_name_come_last_when_sorting_by_name(api_client, people):
    nameless = create_profile(api_client, email="nameless@example.com")

    response = search(api_client, sort="full_name")

    assert response.json()["profiles"][-1]["id"] == nameless["id"]


def test_profiles_pending_deletion_still_appear(api_client, people):
    api_client.post(f"{PROFILES_URL}/{people[0]['id']}/delete")

    assert emails(search(api_client, q="zoe")) == ["zoe.angstrom@example.com"]


def test_erased_profiles_never_appear(api_client, people, admin_user):
    # Staff approve the request in the admin; the deletion workflow erases.
    request_id = api_client.post(f"{PROFILES_URL}/{people[0]['id']}/delete").json()["id"]
    deletion_request_approve(
        deletion_request_id=request_id, now=datetime.now(tz=UTC), decided_by=admin_user
    )

    for q in ("zoe", "+4915", "angstrom@example"):
        assert emails(search(api_client, q=q)) == [], q
    for sort in ("-created_at", "email", "full_name"):
        listed = search(api_client, sort=sort).json()
        assert people[0]["id"] not in [p["id"] for p in listed["profiles"]]
        assert listed["pagination_info"]["total"] == 3


@pytest.mark.parametrize("q", ["ab", "a", "  ab  ", "--", "é"])
def test_q_shorter_than_3_characters_answers_400(api_client, people, q):
    response = search(api_client, q=q)

    body = assert_problem(response, 400)
    assert "3 characters" in body["message"]


def test_empty_q_lists_everything(api_client, people):
    assert search(api_client, q="").json()["pagination_info"]["total"] == 4


def test_q_longer_than_256_characters_answers_400(api_client):
    assert_problem(search(api_client, q="x" * 257), 400)
    assert search(api_client, q="x" * 256).status_code == 200


@pytest.mark.parametrize("sort", ["name", "+email", "email,created_at", "--email", "EMAIL", "id"])
def test_unknown_sort_answers_400(api_client, people, sort):
    body = assert_problem(search(api_client, sort=sort), 400)

    assert "sort" in body["message"]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"offset": -1}, "offset"),
        ({"offset": "x"}, "offset"),
        ({"offset": "1.5"}, "offset"),
        ({"count": 0}, "count"),
        ({"count": 501}, "count"),
        ({"count": "ten"}, "count"),
        ({"count": -5}, "count"),
        # int() would read all of these as numbers; a query parameter is ASCII digits.
        ({"count": " 5"}, "count"),
        ({"count": "5 "}, "count"),
        ({"count": "1_0"}, "count"),
        ({"count": "\uff15"}, "count"),  # FULLWIDTH DIGIT FIVE
        ({"offset": "+1"}, "offset"),
        ({"offset": "0x10"}, "offset"),
    ],
)
def test_offset_and_count_out_of_range_answer_400(api_client, params, name):
    body = assert_problem(search(api_client, **params), 400)

    assert name in body["message"]


def test_count_500_is_accepted(api_client):
    assert search(api_client, count=500).status_code == 200


@pytest.mark.parametrize("q", [None, "example"])
def test_window_edge_is_accepted_and_beyond_answers_400(api_client, people, q):
    extra = {} if q is None else {"q": q}
    at_edge = search(api_client, offset=9990, count=10, **extra)
    beyond = search(api_client, offset=9991, count=10, **extra)
    far = search(api_client, offset=20000, count=1, **extra)

    assert at_edge.status_code == 200
    assert at_edge.json()["pagination_info"] == {"count": 0, "total": 4, "offset": 9990}
    for response in (beyond, far):
        body = assert_problem(response, 400)
        assert "10,000" in body["message"]
        assert "window" in body["message"]


def test_sorting_by_name_beyond_the_window_asks_to_narrow_q(api_client, people, monkeypatch):
    monkeypatch.setattr("pii.profiles.search.SEARCH_WINDOW", 3)

    response = search(api_client, sort="email")

    body = assert_problem(response, 400)
    assert "narrow" in body["message"]
    assert search(api_client, sort="email", q="example.com").status_code == 200


# --- a fixed number of queries, whatever the page size --------------------------------


def queries_for(client, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(PROFILES_URL, params)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "email"},
        {"sort": "-updated_at"},
        {"q": "example"},
        {"q": "example", "sort": "full_name"},
        {"q": "+49 151"},
    ],
    ids=["all", "all-by-email", "all-by-updated", "q", "q-by-name", "q-phone"],
)
def test_query_count_does_not_depend_on_page_size(api_client, params):
    for i in range(60):
        create_profile(api_client, full_name=f"Person {i}", phone_number=f"+4915100000{i:03d}")
    api_client.get(PROFILES_URL)  # the key's last_used_at is written once; not counted

    one = queries_for(api_client, count=1, **params)
    fifty = queries_for(api_client, count=50, **params)

    assert one == fifty
    # authentication (1) + at most three for the search itself + the access log's
    # event (1); on PostgreSQL a search also plans for its terms (a savepoint, the
    # setting, the release: `search_sql.planned_for_each_term`).
    planning = 3 if "q" in params and connection.vendor == "postgresql" else 0
    assert fifty <= 5 + planning


def test_query_count_beyond_the_window_is_fixed_too(api_client, monkeypatch):
    # More candidates than the window: the engine walks the sort index instead.
    for i in range(30):
        create_profile(api_client, full_name=f"Walker {i}")
    api_client.get(PROFILES_URL)
    monkeypatch.setattr("pii.profiles.search.SEARCH_WINDOW", 20)

    one = queries_for(api_client, q="walker", count=1)
    ten = queries_for(api_client, q="walker", count=10)

    assert one == ten
