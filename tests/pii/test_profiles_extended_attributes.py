"""extended_attributes: shape, keys, data types and limits (POST and PATCH)."""

from __future__ import annotations

import pytest

from pii.models import Profile
from tests.support import (
    PROFILES_URL,
    assert_problem,
    create_profile,
    patch_profile,
    post_profile,
    profile_url,
)

pytestmark = pytest.mark.django_db


def attr(data_type: str, value: object) -> dict[str, object]:
    return {"data_type": data_type, "value": value}


@pytest.mark.parametrize(
    ("data_type", "value"),
    [
        ("string", ""),
        ("string", "0123456789"),
        ("string", "ünïcødé ✓"),
        ("integer", "42"),
        ("integer", "-7"),
        ("integer", "+7"),
        ("integer", "00123"),
        ("number", "3.14"),
        ("number", "-1e3"),
        ("number", "10"),
        ("number", ".5"),
        ("number", "2.5E-7"),
        ("boolean", "true"),
        ("boolean", "false"),
        ("boolean", "TRUE"),
        ("date", "2019-08-24"),
        ("date", "2024-02-29"),
        ("datetime", "2019-08-24T14:15:22Z"),
        ("datetime", "2019-08-24T14:15:22.123456Z"),
        ("datetime", "2019-08-24T14:15:22+02:00"),
        ("datetime", "2019-08-24T14:15:22.1-05:30"),
    ],
)
def test_valid_values_are_kept_as_sent(api_client, data_type, value):
    response = post_profile(api_client, extended_attributes={"k": attr(data_type, value)})

    assert response.status_code == 201, response.content
    assert response.json()["extended_attributes"] == {"k": attr(data_type, value)}


@pytest.mark.parametrize(
    ("data_type", "value"),
    [
        ("integer", "4.2"),
        ("integer", "forty"),
        ("integer", " 42"),
        ("integer", "1_000"),
        ("integer", ""),
        ("integer", "٤٢"),
        ("number", "abc"),
        ("number", "nan"),
        ("number", "inf"),
        ("number", "1e999"),
        ("number", "1,5"),
        ("boolean", "yes"),
        ("boolean", "1"),
        ("date", "2019-02-30"),
        ("date", "24.08.2019"),
        ("date", "2019-08-24T00:00:00Z"),
        ("date", "20190824"),
        ("datetime", "2019-08-24"),
        ("datetime", "2019-08-24T14:15:22"),
        ("datetime", "2019-08-24T25:15:22Z"),
        ("datetime", "yesterday"),
    ],
)
def test_values_that_do_not_parse_as_their_type_answer_422(api_client, data_type, value):
    response = post_profile(api_client, extended_attributes={"k": attr(data_type, value)})

    problem = assert_problem(response, 422)
    assert list(problem["errors"]) == ["extended_attributes.k.value"]
    assert Profile.objects.count() == 0


@pytest.mark.parametrize(
    ("entry", "error_key"),
    [
        (attr("uuid", "x"), "extended_attributes.k.data_type"),
        (attr(None, "x"), "extended_attributes.k.data_type"),
        (attr("string", 42), "extended_attributes.k.value"),
        (attr("string", None), "extended_attributes.k.value"),
        (attr("integer", 42), "extended_attributes.k.value"),
        (attr("string", "v" * 1025), "extended_attributes.k.value"),
        ({"data_type": "string"}, "extended_attributes.k"),
        ({"value": "x"}, "extended_attributes.k"),
        ({"data_type": "string", "value": "x", "extra": "y"}, "extended_attributes.k"),
        ("just a string", "extended_attributes.k"),
        (None, "extended_attributes.k"),
    ],
)
def test_malformed_entries_answer_422(api_client, entry, error_key):
    response = post_profile(api_client, extended_attributes={"k": entry})

    problem = assert_problem(response, 422)
    assert error_key in problem["errors"]


def test_lone_surrogates_answer_422_not_500(api_client):
    payload = (
        '{"email": "s@example.com", '
        '"extended_attributes": {"k": {"data_type": "string", "value": "a\\ud800"}}}'
    )
    response = api_client.generic("POST", PROFILES_URL, payload, content_type="application/json")

    problem = assert_problem(response, 422)
    assert list(problem["errors"]) == ["extended_attributes.k.value"]


def test_value_of_1024_characters_is_accepted(api_client):
    response = post_profile(api_client, extended_attributes={"k": attr("string", "v" * 1024)})

    assert response.status_code == 201


@pytest.mark.parametrize("key", ["", "k" * 65, "with space", "ümlaut", "a/b", "a:b"])
def test_malformed_keys_answer_422_without_echoing_the_key(api_client, key):
    response = post_profile(api_client, extended_attributes={key: attr("string", "x")})

    problem = assert_problem(response, 422)
    assert list(problem["errors"]) == ["extended_attributes"]
    if key:
        assert key not in response.content.decode()


@pytest.mark.parametrize("key", ["k", "k" * 64, "Loyalty_ID.v-2", "0"])
def test_well_formed_keys_are_accepted(api_client, key):
    response = post_profile(api_client, extended_attributes={key: attr("string", "x")})

    assert response.status_code == 201


def test_twenty_entries_are_accepted_and_twenty_one_refused(api_client):
    twenty = {f"k{i}": attr("integer", str(i)) for i in range(20)}
    assert post_profile(api_client, extended_attributes=twenty).status_code == 201

    twenty_one = {f"k{i}": attr("integer", str(i)) for i in range(21)}
    problem = assert_problem(post_profile(api_client, extended_attributes=twenty_one), 422)
    assert "extended_attributes" in problem["errors"]


def test_every_bad_entry_is_reported(api_client):
    response = post_profile(
        api_client,
        extended_attributes={
            "good": attr("string", "x"),
            "bad_int": attr("integer", "x"),
            "bad_type": attr("colour", "red"),
        },
    )

    problem = assert_problem(response, 422)
    assert set(problem["errors"]) == {
        "extended_attributes.bad_int.value",
        "extended_attributes.bad_type.data_type",
    }


def test_patch_replaces_all_attributes(api_client):
    profile = create_profile(
        api_client,
        extended_attributes={"a": attr("string", "1"), "b": attr("boolean", "true")},
    )

    response = patch_profile(
        api_client, profile, extended_attributes={"c": attr("date", "2020-01-01")}
    )

    assert response.status_code == 200
    assert response.json()["extended_attributes"] == {"c": attr("date", "2020-01-01")}


@pytest.mark.parametrize("cleared", [None, {}])
def test_patch_with_null_or_empty_clears_the_attributes(api_client, cleared):
    profile = create_profile(api_client, extended_attributes={"a": attr("string", "1")})

    response = patch_profile(api_client, profile, extended_attributes=cleared)

    assert response.status_code == 200
    assert response.json()["extended_attributes"] == {}
    assert api_client.get(profile_url(profile["id"])).json()["extended_attributes"] == {}


def test_patch_with_a_bad_attribute_changes_nothing(api_client):
    profile = create_profile(api_client, extended_attributes={"a": attr("string", "1")})

    response = patch_profile(
        api_client, profile, full_name="New", extended_attributes={"a": attr("integer", "x")}
    )

    assert_problem(response, 422)
    assert api_client.get(profile_url(profile["id"])).json() == profile
