"""OpenAPI decoration of the five profile operations (pii.api.profile_views)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from pii.api.openapi import problem_responses
from pii.api.profile_query import LIST_MAX_COUNT, ProfileListQuerySerializer
from pii.api.profile_serializers import (
    DeletionRequestSerializer,
    ProfileCreateSerializer,
    ProfileListSerializer,
    ProfileSerializer,
    ProfileUpdateSerializer,
)
from pii.core.ids import OBJECT_ID_RE
from pii.profiles.search import SEARCH_WINDOW

TAGS = ["customerProfile"]

PROFILE_ID_PARAMETER = OpenApiParameter(
    "profile_id",
    str,
    OpenApiParameter.PATH,
    description="Profile ID (`NS-{REGION}-{ULID}-{ULID}`).",
    pattern=OBJECT_ID_RE.pattern,
)
LOCATION_HEADER = OpenApiParameter(
    "Location",
    str,
    OpenApiParameter.HEADER,
    description="Path of the new profile, e.g. `/v1/d/pii/profiles/{profile_id}`.",
    response=[201],
)


class WholeBodyPatchSchema(AutoSchema):
    """Documents a PATCH body as its serializer declares it.

    drf-spectacular assumes DRF's partial updates and drops every `required`
    from PATCH bodies; here the body is validated whole: `last_updated_at` is
    required, the other fields are optional by declaration.
    """

    def _get_request_for_media_type(self, serializer: Any, direction: str = "request") -> Any:
        method, self.method = self.method, "PUT"
        try:
            return super()._get_request_for_media_type(serializer, direction)
        finally:
            self.method = method


def _operation(
    operation_id: str,
    summary: str,
    description: str,
    *,
    answers: dict[int, tuple[type, str]],
    problems: dict[int, str | None],
    **extra: Any,
) -> Any:
    """`extend_schema` of one profile operation: its successful `answers`
    ({status: (serializer, description)}) and its `problems` ({status: description,
    or None for the usual one}). An operation with a body may answer 413; every
    operation may answer 401/403/500/503."""
    responses: dict[Any, OpenApiResponse] = {
        code: OpenApiResponse(serializer, description=text)
        for code, (serializer, text) in answers.items()
    }
    if extra.get("request") is not None:
        problems = {413: None, **problems}
    texts = {f"s{code}": text for code, text in problems.items() if text}
    responses.update(problem_responses(*sorted(problems), **texts))
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        tags=TAGS,
        responses=responses,
        **extra,
    )


def _profile_operation(
    operation_id: str,
    summary: str,
    description: str,
    *,
    problems: dict[int, str | None],
    **extra: Any,
) -> Any:
    """An operation on one profile: `profile_id` in the path, 400 when it is
    malformed, 404 when no such profile (unless `problems` says otherwise)."""
    return _operation(
        operation_id,
        summary,
        description,
        parameters=[PROFILE_ID_PARAMETER],
        problems={400: "Malformed profile id.", 404: "Profile not found.", **problems},
        **extra,
    )


list_profiles = _operation(
    "listProfiles",
    "List customer profiles",
    f"A searchable, paginated list of profiles. Up to {LIST_MAX_COUNT} profiles per page, "
    f"within a window of the first {SEARCH_WINDOW:,} matches: `offset + count` beyond it "
    "answers 400. `q` shorter than 3 characters, an unknown `sort`, or `offset`/`count` "
    "out of range: 400.",
    parameters=[ProfileListQuerySerializer],
    answers={200: (ProfileListSerializer, "The profiles list.")},
    problems={
        400: "Bad query parameter: `q` too short, unknown `sort`, `offset`/`count` out of "
        "range, or beyond the 10,000-profile window."
    },
)

get_profile = _profile_operation(
    "getProfile",
    "Get customer profile",
    "The profile. Still readable while a deletion request is pending; 404 once erased.",
    answers={200: (ProfileSerializer, "The customer profile.")},
    problems={404: None},
)

get_or_create_profile = _operation(
    "getOrCreateProfile",
    "Get or create customer profile",
    "Returns the profile with this email (letter case ignored) unchanged with 200, else "
    "creates it: 201 with a `Location` header. 409 when the existing profile has a "
    "deletion request that is not rejected.",
    parameters=[LOCATION_HEADER],
    request=ProfileCreateSerializer,
    answers={
        200: (ProfileSerializer, "A customer profile with the same email already exists."),
        201: (ProfileSerializer, "The created profile."),
    },
    problems={
        400: "The body is not a JSON object.",
        409: "The profile with this email has a pending deletion request.",
        422: "Validation failed or unknown fields; see `errors`.",
    },
)

update_profile = _profile_operation(
    "updateProfile",
    "Update customer profile",
    "Changes only the fields sent; null clears a nullable field. `last_updated_at` must "
    "equal the profile's current `updated_at`, else 409 with `current_updated_at`. "
    "Read-only fields (`id`, `display_id`, `created_at`, `updated_at`) sent back are "
    "ignored.",
    request=ProfileUpdateSerializer,
    answers={200: (ProfileSerializer, "The updated profile.")},
    problems={
        400: "Malformed profile id, or the body is not a JSON object.",
        409: "`last_updated_at` is not the current `updated_at` (the body carries "
        "`current_updated_at`), the email belongs to another profile, or a deletion "
        "request is pending.",
        422: "Validation failed, unknown fields, or `last_updated_at` missing.",
    },
)

request_profile_deletion = _profile_operation(
    "requestProfileDeletion",
    "Request customer profile deletion",
    "Opens a deletion request, reviewed by staff. While it is pending, writes to the "
    "profile and its addresses answer 409; reads still work.",
    request=None,
    answers={202: (DeletionRequestSerializer, "Deletion request accepted.")},
    problems={409: "Deletion already requested (pending, approved or executed)."},
)
