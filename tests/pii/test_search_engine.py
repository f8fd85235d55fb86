"""The profile search engine (pii.profiles.search) on both databases: matching rules,
false-positive filtering, ordering, the window, query counts."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pii.core import blind_index
from pii.core.errors import MalformedRequest
from pii.core.ids import new_object_id
from pii.models import Profile
from pii.profiles import search, search_sql
from pii.profiles.search import profile_search, profile_search_tokens
from pii.profiles.search_seal import profile_search_seal

T0 = datetime(2024, 1, 1, tzinfo=UTC)
_seq = itertools.count()


def insert_profile_row(
    email: str | None = None,
    full_name: str | None = None,
    phone_number: str | None = None,
    *,
    created_at: datetime | None = None,
    updated_at: datetime | None = None,
) -> Profile:
    """A profile written as the services write it: encrypted, digested, tokenized, sealed."""
    n = next(_seq)
    email = email or f"user{n}@example.org"
    created_at = created_at or T0 + timedelta(minutes=n)
    row_id = new_object_id()
    return Profile.objects.create(
        id=row_id,
        email=email,
        email_digest=blind_index.digest("email-eq", blind_index.normalize_email(email)),
        full_name=full_name,
        phone_number=phone_number,
        search_tokens=profile_search_tokens(
            email=email, full_name=full_name, phone_number=phone_number
        ),
        search_seal=profile_search_seal(
            row_id=row_id, email=email, full_name=full_name, phone_number=phone_number
        ),
        blind_index_version=blind_index.current_version(),
        created_at=created_at,
        updated_at=updated_at or created_at,
    )


def find(q: str | None, sort: str = "-created_at", offset: int = 0, count: int = 100) -> list[str]:
    return [p.id for p in profile_search(q=q, sort=sort, offset=offset, count=count).profiles]


pytestmark = pytest.mark.django_db


def test_accents_are_ignored_both_ways() -> None:
    muller = insert_profile_row(full_name="Jürgen Müller")
    insert_profile_row(full_name="Jürgen Meier")

    assert find("muller") == [muller.id]
    assert find("MÜL") == [muller.id]
    assert find("Jurgen Mu") == [muller.id]


def test_case_is_ignored_in_email_and_name() -> None:
    p = insert_profile_row(email="Anna.Schmidt@GMAIL.com", full_name="ANNA SCHMIDT")

    assert find("schmidt@gmail") == [p.id]
    assert find("Anna S") == [p.id]


def test_phone_matches_with_or_without_punctuation() -> None:
    p = insert_profile_row(phone_number="+49 170 1234567")
    insert_profile_row(phone_number="+33 612345678")

    for q in ("1701234", "170-123", "+49170", "+49 (170) 123", "0170.123"[1:]):
        assert find(q) == [p.id], q


def test_digits_also_match_emails() -> None:
    p = insert_profile_row(email="jan1987@web.de")

    assert find("1987") == [p.id]


def test_substring_must_be_contiguous_false_positives_are_filtered() -> None:
    decoy = insert_profile_row(full_name="Mario Ariana")
    maria = insert_profile_row(full_name="Maria Lopez")
    # The decoy holds every trigram of "maria" (mar, ari, ria) but not "maria".
    name_tokens = blind_index.tokens("name", "maria")
    assert name_tokens <= set(decoy.search_tokens)

    assert find("maria") == [maria.id]


def test_field_keys_differ_so_a_name_does_not_match_through_an_email() -> None:
    # The same text in another field yields other tokens, and verification is per field.
    p = insert_profile_row(email="xyz.abc@example.org", full_name="Nobody")
    assert find("xyz.abc") == [p.id]
    assert blind_index.tokens("email", "xyz") != blind_index.tokens("name", "xyz")


def test_no_match_and_erased_profiles() -> None:
    gone = insert_profile_row(full_name="Erased Person")
    gone.delete()  # erasure deletes the row

    result = profile_search(q="erased", sort="-created_at", offset=0, count=10)
    assert result.profiles == []
    assert result.total == 0


def test_query_too_short_after_normalization() -> None:
    with pytest.raises(MalformedRequest):
        profile_search(q="  ab  ", sort="-created_at", offset=0, count=10)


def test_rows_of_another_key_version_are_not_found_until_rebuilt(settings) -> None:
    p = insert_profile_row(full_name="Versioned Name")
    settings.BLIND_INDEX_KEY_VERSION = 2
    assert find("versioned") == []

    call_command("rebuild_search_index", verbosity=0)

    assert find("versioned") == [p.id]
    assert Profile.objects.get(pk=p.pk).blind_index_version == 2


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("created_at", ["a", "b", "c", "d"]),
        ("-created_at", ["d", "c", "b", "a"]),
        ("updated_at", ["c", "d", "a", "b"]),
        ("-updated_at", ["b", "a", "d", "c"]),
        ("email", ["b", "a", "c", "d"]),
        ("-email", ["d", "c", "a", "b"]),
        ("full_name", ["d", "a", "b", "c"]),
        ("-full_name", ["c", "b", "a", "d"]),
    ],
)
@pytest.mark.parametrize("q", ["shared", None])
def test_sort_orders_with_ties_in_creation_order(sort: str, expected: list[str], q) -> None:
    later = T0 + timedelta(days=10)
    # created a < b < c < d; updated: c = d (tie), then a = b (tie) later.
    rows = {
        "a": insert_profile_row("Bea@shared.org", "émile Zola", created_at=T0, updated_at=later),
        "b": insert_profile_row(
            "abe@shared.org", "Emile zola", created_at=T0 + timedelta(1), updated_at=later
        ),
        "c": insert_profile_row("CAT@shared.org", "Zoe", created_at=T0 + timedelta(2)),
        "d": insert_profile_row(
            "dan@shared.org", "anna", created_at=T0 + timedelta(3), updated_at=T0 + timedelta(2)
        ),
    }
    names = {p.id: k for k, p in rows.items()}

    assert [names[pk] for pk in find(q, sort=sort)] == expected


def test_profiles_without_a_name_sort_last_by_full_name() -> None:
    nameless = insert_profile_row("zz1@shared.org", None)
    named = insert_profile_row("zz2@shared.org", "Zed")

    assert find("shared", sort="full_name") == [named.id, nameless.id]
    assert find("shared", sort="-full_name") == [nameless.id, named.id]


def test_pagination_and_exact_total() -> None:
    made = [insert_profile_row(f"page{i}@window.org") for i in range(7)]
    newest_first = [p.id for p in reversed(made)]

    result = profile_search(q="window", sort="-created_at", offset=2, count=3)

    assert [p.id for p in result.profiles] == newest_first[2:5]
    assert result.total == 7
    tail = profile_search(q="window", sort="-created_at", offset=6, count=3)
    assert [p.id for p in tail.profiles] == newest_first[6:]
    assert tail.total == 7


def test_total_excludes_false_positives() -> None:
    insert_profile_row(full_name="Mario Ariana")
    insert_profile_row(full_name="Maria Lopez")

    assert profile_search(q="maria", sort="email", offset=0, count=10).total == 1


def test_profiles_are_fully_loaded() -> None:
    insert_profile_row("full@load.org", "Full Load", "+4930123456")

    (p,) = profile_search(q="load", sort="-created_at", offset=0, count=10).profiles

    assert (p.email, p.full_name, p.phone_number) == ("full@load.org", "Full Load", "+4930123456")


@pytest.fixture
def small_window(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(search, "SEARCH_WINDOW", 5)
    return 5


def test_more_matches_than_the_window_sorted_by_time(small_window: int) -> None:
    made = [insert_profile_row(f"many{i}@crowd.org") for i in range(8)]

    result = profile_search(q="crowd", sort="-created_at", offset=1, count=3)

    assert [p.id for p in result.profiles] == [p.id for p in reversed(made)][1:4]
    assert result.total == small_window
    oldest = profile_search(q="crowd", sort="created_at", offset=3, count=2)
    assert [p.id for p in oldest.profiles] == [made[3].id, made[4].id]


def test_walk_skips_false_positives(small_window: int) -> None:
    # More candidates than the window, some of them false positives.
    real = [insert_profile_row(full_name=f"Maria {i}") for i in range(4)]
    for i in range(4):
        insert_profile_row(full_name=f"Mario Ariana {i}")

    result = profile_search(q="maria", sort="-created_at", offset=0, count=10)

    assert [p.id for p in result.profiles] == [p.id for p in reversed(real)]


@pytest.mark.parametrize("sort", ["email", "-full_name"])
def test_sorting_by_text_beyond_the_window_is_refused(small_window: int, sort: str) -> None:
    for i in range(small_window + 1):
        insert_profile_row(f"many{i}@crowd.org")

    with pytest.raises(MalformedRequest, match="narrow"):
        profile_search(q="crowd", sort=sort, offset=0, count=10)
    with pytest.raises(MalformedRequest, match="narrow"):
        profile_search(q=None, sort=sort, offset=0, count=10)


def test_sorting_by_text_within_the_window_works(small_window: int) -> None:
    made = [insert_profile_row(f"{c}@crowd.org") for c in "edcba"]

    assert find("crowd", sort="email") == [p.id for p in reversed(made)]


def test_without_q_total_is_capped_at_the_window(small_window: int) -> None:
    for _ in range(small_window + 2):
        insert_profile_row()

    result = profile_search(q=None, sort="-created_at", offset=0, count=2)
    assert result.total == small_window
    assert len(result.profiles) == 2


def _queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        profile_search(**kwargs)
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("q", "sort"),
    [
        ("crowd", "-created_at"),
        ("crowd", "email"),
        (None, "-created_at"),
        (None, "full_name"),
        ("1701", "updated_at"),
    ],
)
def test_query_count_does_not_depend_on_page_size(q, sort) -> None:
    for i in range(30):
        insert_profile_row(f"p{i}@crowd.org", f"Name {i}", f"+49 1701 {i:05d}")

    small = _queries(q=q, sort=sort, offset=0, count=1)
    large = _queries(q=q, sort=sort, offset=0, count=30)

    assert small == large
    assert small <= 3 + _planning_statements(q)


def test_query_count_of_the_walk_does_not_depend_on_page_size(small_window: int) -> None:
    for i in range(12):
        insert_profile_row(f"p{i}@crowd.org")

    small = _queries(q="crowd", sort="-created_at", offset=0, count=1)
    large = _queries(q="crowd", sort="-created_at", offset=0, count=10)

    assert small == large


def test_search_tokens_hold_no_clear_text() -> None:
    p = insert_profile_row("secret.person@example.org", "Secret Person", "+491701234567")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT email, full_name, phone_number, search_tokens, search_seal FROM pii_profile"
            " WHERE id = %s",
            [p.id],
        )
        row = cursor.fetchone()
    raw = b"".join(bytes(v) if not isinstance(v, str | list) else str(v).encode() for v in row)
    for clear in (b"secret", b"Secret", b"1701234"):
        assert clear not in raw


def test_dense_queries_skip_the_exact_count(small_window: int, is_postgres: bool) -> None:
    made = [insert_profile_row(f"dense{i}@crowd.org") for i in range(60)]
    if is_postgres:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE pii_profile")  # the sample extrapolates from reltuples
    branches = search.parse_query("crowd")

    probed = search_sql.probe(branches, blind_index.current_version(), window=small_window)

    assert probed == (search_sql.DENSE if is_postgres else None)
    result = profile_search(q="crowd", sort="-created_at", offset=0, count=3)
    assert [p.id for p in result.profiles] == [p.id for p in reversed(made)][:3]
    assert result.total == small_window


@pytest.mark.postgres
def test_the_density_sample_is_sized_from_the_current_table_not_stale_statistics() -> None:
    # The sample must stay ~SAMPLE_ROWS whatever the statistics say. Before any
    # ANALYZE (a fresh bulk load, a restored dump) PostgreSQL reports reltuples
    # -1: sizing from it sampled the whole table, a full scan on every search.
    def sample_percent() -> float:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {search_sql.sample_percent_sql('scratch')}", [2000])
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE scratch AS SELECT generate_series(1, 20000) AS n")
        never_analyzed = sample_percent()
        cursor.execute("ANALYZE scratch")
        analyzed = sample_percent()
        cursor.execute("INSERT INTO scratch SELECT generate_series(1, 60000)")
        grown = sample_percent()  # statistics still say 20,000 rows

    assert never_analyzed == 0  # nothing sampled: the fetch, capped, decides
    assert 9.5 <= analyzed <= 10.5  # 2,000 of 20,000
    assert 2.3 <= grown <= 2.7  # 2,000 of 80,000


def test_seed_profiles_writes_encrypted_searchable_rows(is_postgres: bool) -> None:
    call_command("seed_profiles", 40, batch_size=15, workers=1, seed=3, verbosity=0)

    assert Profile.objects.count() == 40
    if is_postgres:  # analyzed at once, so searches size their sample right
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'pii_profile'")
            assert cursor.fetchone()[0] == 40
    some = Profile.objects.order_by("id").first()
    assert some.email_digest == blind_index.digest(
        "email-eq", blind_index.normalize_email(some.email)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM pii_profile WHERE id = %s", [some.id])
        (raw,) = cursor.fetchone()
    assert some.email.encode() not in bytes(raw)
    found = profile_search(q=some.email, sort="-created_at", offset=0, count=10)
    assert [p.id for p in found.profiles] == [some.id]


def _planning_statements(q: str | None) -> int:
    """A search on PostgreSQL runs in a transaction that plans for its terms
    (`search_sql.planned_for_each_term`): in a test's transaction, a savepoint,
    the `plan_cache_mode` setting and the release."""
    return 3 if q is not None and connection.vendor == "postgresql" else 0
