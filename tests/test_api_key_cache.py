"""The API key cache (pii.api_keys.cache, docs/operations.md "The API key cache"):
a key accepted once is not looked up again for API_KEY_CACHE_SECONDS, yet the
secret is checked on every request, a key revoked or changed elsewhere stops
working within the bound, and revoking through the service takes effect at once."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import redis
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pii.api_keys.services import api_key_update, api_keys_revoke
from pii.models import ApiKey
from tests import support

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def key_and_profile(settings):
    settings.API_KEY_CACHE_SECONDS = 10
    key = support.make_api_key(scopes=["profiles:read"])
    return key, support.make_profile()


def _get(key: str, profile_id: str):
    return support.bearer_client(key).get(support.profile_url(profile_id))


def _key_queries(queries: CaptureQueriesContext) -> list[str]:
    table = ApiKey._meta.db_table
    return [q["sql"] for q in queries.captured_queries if table in q["sql"]]


def test_a_key_accepted_once_is_not_looked_up_again(key_and_profile):
    key, profile = key_and_profile
    assert _get(key, profile.pk).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        response = _get(key, profile.pk)

    assert response.status_code == 200
    assert _key_queries(queries) == []


def test_a_wrong_secret_under_a_cached_prefix_is_refused(key_and_profile):
    key, profile = key_and_profile
    assert _get(key, profile.pk).status_code == 200
    prefix, _, secret = key.partition(".")
    wrong = f"{prefix}.{'x' if secret[0] != 'x' else 'y'}{secret[1:]}"

    support.assert_problem(_get(wrong, profile.pk), 401)


def test_a_key_revoked_elsewhere_stops_working_within_the_bound(key_and_profile):
    key, profile = key_and_profile
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert _get(key, profile.pk).status_code == 200
        # Another server (or a SQL console) revokes it: this process's cache still has it.
        ApiKey.objects.filter(prefix=key.partition(".")[0]).update(revoked=True)
        clock.shift(timedelta(seconds=9))
        assert _get(key, profile.pk).status_code == 200

        clock.shift(timedelta(seconds=1))
        support.assert_problem(_get(key, profile.pk), 401)


def test_revoking_through_the_service_takes_effect_at_once(key_and_profile):
    key, profile = key_and_profile
    assert _get(key, profile.pk).status_code == 200
    api_key = ApiKey.objects.get(prefix=key.partition(".")[0])

    api_keys_revoke(ids=[api_key.pk], now=timezone.now())

    support.assert_problem(_get(key, profile.pk), 401)


def test_a_key_edited_and_saved_is_read_again_at_once(key_and_profile):
    key, profile = key_and_profile
    assert _get(key, profile.pk).status_code == 200
    api_key = ApiKey.objects.get(prefix=key.partition(".")[0])

    api_key.scopes = ["tokenize"]
    api_key.save()  # a save of the row from anywhere (a shell, a data fix)

    support.assert_problem(_get(key, profile.pk), 403)


def test_a_key_changed_through_the_service_is_read_again_at_once(key_and_profile):
    key, profile = key_and_profile
    assert _get(key, profile.pk).status_code == 200
    api_key = ApiKey.objects.get(prefix=key.partition(".")[0])

    # As the admin's change form does (pii/admin/api_keys.py, save_model).
    api_key_update(api_key_id=api_key.pk, changes={"scopes": ["tokenize"]}, now=timezone.now())

    support.assert_problem(_get(key, profile.pk), 403)


def test_a_cached_key_past_its_expiry_is_refused(key_and_profile):
    key, profile = key_and_profile
    ApiKey.objects.filter(prefix=key.partition(".")[0]).update(
        expiry_date=timezone.now() + timedelta(seconds=5)
    )
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert _get(key, profile.pk).status_code == 200
        clock.shift(timedelta(seconds=6))

        support.assert_problem(_get(key, profile.pk), 401)


def test_last_use_is_written_once_a_minute_not_per_request(key_and_profile):
    key, profile = key_and_profile
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert _get(key, profile.pk).status_code == 200
        clock.shift(timedelta(seconds=61))
        assert _get(key, profile.pk).status_code == 200  # writes last_used_at

        with CaptureQueriesContext(connection) as queries:
            assert _get(key, profile.pk).status_code == 200

    assert _key_queries(queries) == []


def test_with_the_cache_off_every_request_looks_the_key_up(key_and_profile, settings):
    key, profile = key_and_profile
    settings.API_KEY_CACHE_SECONDS = 0
    assert _get(key, profile.pk).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        assert _get(key, profile.pk).status_code == 200

    assert len(_key_queries(queries)) == 1


@pytest.fixture
def redis_key_cache(settings):
    """The key cache in Redis, as with REDIS_URL (a database number of its own)."""
    location = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    settings.CACHES = {
        **settings.CACHES,
        "api_keys": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "pii-test",
        },
    }
    client = redis.Redis.from_url(location)
    client.flushdb()
    yield client
    client.flushdb()


def test_with_redis_a_revocation_clears_the_entry_every_server_shares(
    key_and_profile, redis_key_cache
):
    key, profile = key_and_profile
    assert _get(key, profile.pk).status_code == 200
    # What another worker or server would read: the entry is in Redis.
    assert len(redis_key_cache.keys("*api-key:*")) == 1
    api_key = ApiKey.objects.get(prefix=key.partition(".")[0])

    api_keys_revoke(ids=[api_key.pk], now=timezone.now())

    assert redis_key_cache.keys("*api-key:*") == []
    support.assert_problem(_get(key, profile.pk), 401)


def test_without_redis_each_process_keeps_the_row_itself_not_a_pickle(key_and_profile):
    """ProcessMemoryCache: no unpickling on every request; entries still expire."""
    from django.core.cache import caches

    key, profile = key_and_profile
    assert _get(key, profile.pk).status_code == 200
    cache = caches["api_keys"]
    entry_key = f"api-key:{key.partition('.')[0]}"

    first, second = cache.get(entry_key), cache.get(entry_key)

    assert first is second
    assert isinstance(first[1], ApiKey)
    cache.set("short", "lived", timeout=-1)  # already expired
    assert cache.get("short") is None
    assert cache.add("new", 1) is True
    assert cache.add("new", 2) is False
    assert cache.get("new") == 1
