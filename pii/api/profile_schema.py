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


list_profiles = extend_schema(
    operation_id="listProfiles",
    summary="List customer profiles",
    description=(
        "A searchable, paginated list of profiles. Up to "
        f"{LIST_MAX_COUNT} profiles per page, within a window of the first "
        f"{SEARCH_WINDOW:,} matches: `offset + count` beyond it answers 400. "
        "`q` shorter than 3 characters, an unknown `sort`, or `offset`/`count` out "
        "of range: 400."
    ),
    tags=TAGS,
    parameters=[ProfileListQuerySerializer],
    responses={
        200: OpenApiResponse(ProfileListSerializer, description="The profiles list."),
        **problem_responses(
            400,
            s400="Bad query parameter: `q` too short, unknown `sort`, `offset`/`count` "
            "out of range, or beyond the 10,000-profile window.",
        ),
    },
)

get_or_create_profile = extend_schema(
    operation_id="getOrCreateProfile",
    summary="Get or create customer profile",
    description=(
        "Returns the profile with this email (letter case ignored) unchanged with "
        "200, else creates it: 201 with a `Location` header. 409 when the existing "
        "profile has a deletion request that is not rejected."
    ),
    tags=TAGS,
    parameters=[LOCATION_HEADER],
    request=ProfileCreateSerializer,
    responses={
        200: OpenApiResponse(
            ProfileSerializer,
            description="A customer profile with the same email already exists.",
        ),
        201: OpenApiResponse(ProfileSerializer, description="The created profile."),
        **problem_responses(
            400,
            409,
            413,
            422,
            s400="The body is not a JSON object.",
            s409="The profile with this email has a pending deletion request.",
            s422="Validation failed or unknown fields; see `errors`.",
        ),
    },
)

get_profile = extend_schema(
    operation_id="getProfile",
    summary="Get customer profile",
    description="The profile. Still readable while a deletion request is pending; 404 once erased.",
    tags=TAGS,
    parameters=[PROFILE_ID_PARAMETER],
    responses={
        200: OpenApiResponse(ProfileSerializer, description="The customer profile."),
        **problem_responses(400, 404, s400="Malformed profile id."),
    },
)

update_profile = extend_schema(
    operation_id="updateProfile",
    summary="Update customer profile",
    description=(
        "Changes only the fields sent; null clears a nullable field. "
        "`last_updated_at` must equal the profile's current `updated_at`, else 409 "
        "with `current_updated_at`. Read-only fields (`id`, `display_id`, "
        "`created_at`, `updated_at`) sent back are ignored."
    ),
    tags=TAGS,
    parameters=[PROFILE_ID_PARAMETER],
    request=ProfileUpdateSerializer,
    responses={
        200: OpenApiResponse(ProfileSerializer, description="The updated profile."),
        **problem_responses(
            400,
            404,
            409,
            413,
            422,
            s400="Malformed profile id, or the body is not a JSON object.",
            s404="Profile not found.",
            s409="`last_updated_at` is not the current `updated_at` (the body carries "
            "`current_updated_at`), the email belongs to another profile, or a "
            "deletion request is pending.",
            s422="Validation failed, unknown fields, or `last_updated_at` missing.",
        ),
    },
)

request_profile_deletion = extend_schema(
    operation_id="requestProfileDeletion",
    summary="Request customer profile deletion",
    description=(
        "Opens a deletion request, reviewed by staff. While it is pending, writes to "
        "the profile and its addresses answer 409; reads still work."
    ),
    tags=TAGS,
    parameters=[PROFILE_ID_PARAMETER],
    request=None,
    responses={
        202: OpenApiResponse(DeletionRequestSerializer, description="Deletion request accepted."),
        **problem_responses(
            400,
            404,
            409,
            s400="Malformed profile id.",
            s404="Profile not found.",
            s409="Deletion already requested (pending, approved or executed).",
        ),
    },
)
