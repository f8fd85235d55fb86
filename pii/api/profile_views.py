"""The five profile operations: list/search, get-or-create, get, update, delete request.

Each handler: check the path id, validate the body or query, make one service
or selector call, serialize. Errors are raised (pii.core.errors), never built here;
the clock is read here and passed in as `now=`.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pii.api.base import READ_ONLY_ECHO_FIELDS, query_int, validated_body
from pii.api.openapi import problem_responses
from pii.api.profile_serializers import (
    SEARCH_SORTS_HELP,
    DeletionRequestSerializer,
    ProfileCreateSerializer,
    ProfileListSerializer,
    ProfileSerializer,
    ProfileUpdateSerializer,
)
from pii.core.errors import MalformedRequest
from pii.core.ids import OBJECT_ID_RE, is_object_id
from pii.profiles import deletion, selectors, services
from pii.profiles.search import DEFAULT_SORT, MIN_QUERY_LENGTH, SEARCH_WINDOW, SORTS

READ_SCOPE = "profiles:read"
WRITE_SCOPE = "profiles:write"
TAGS = ["customerProfile"]

LIST_DEFAULT_COUNT = 10
LIST_MAX_COUNT = 500
# Longer terms are refused: no email, name or phone is that long, and every
# character adds search tokens to the query.
Q_MAX_LENGTH = 256

PROFILE_ID_PARAMETER = OpenApiParameter(
    "profile_id",
    str,
    OpenApiParameter.PATH,
    description="Profile ID (`NS-{REGION}-{ULID}-{ULID}`).",
    pattern=OBJECT_ID_RE.pattern,
)
LIST_PARAMETERS = [
    OpenApiParameter(
        "q",
        {"type": "string", "minLength": MIN_QUERY_LENGTH, "maxLength": Q_MAX_LENGTH},
        OpenApiParameter.QUERY,
        description=(
            f"Search term: at least {MIN_QUERY_LENGTH} characters once case, accents and "
            f"surrounding spaces are ignored, at most {Q_MAX_LENGTH}. Matches a profile "
            "when it is a substring, ignoring case and accents, of its email, full name or "
            "phone number (phone digits match with or without `+`, spaces or dashes; a "
            "leading `+` matches at the start of the number: `+49` finds +49 numbers). "
            "Absent or empty: every profile."
        ),
    ),
    OpenApiParameter(
        "sort",
        {"type": "string", "enum": list(SORTS), "default": DEFAULT_SORT},
        OpenApiParameter.QUERY,
        description=SEARCH_SORTS_HELP + " Sorting by `email` or `full_name` ignores case; "
        "ties fall back to creation order. It is refused (400) when more than "
        f"{SEARCH_WINDOW:,} profiles match: narrow `q`.",
    ),
    OpenApiParameter(
        "offset",
        {"type": "integer", "format": "int64", "minimum": 0, "default": 0},
        OpenApiParameter.QUERY,
        description=f"The profiles page offset; `offset + count` <= {SEARCH_WINDOW:,}.",
    ),
    OpenApiParameter(
        "count",
        {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": LIST_MAX_COUNT,
            "default": LIST_DEFAULT_COUNT,
        },
        OpenApiParameter.QUERY,
        description="The number of requested profiles.",
    ),
]
LOCATION_HEADER = OpenApiParameter(
    "Location",
    str,
    OpenApiParameter.HEADER,
    description="Path of the new profile, e.g. `/v1/d/pii/profiles/{profile_id}`.",
    response=[201],
)


def _profile_id_or_400(profile_id: str) -> None:
    if not is_object_id(profile_id):
        raise MalformedRequest("The profile id is malformed.")


def _search_term(request: Request) -> str | None:
    """`q`, or None when absent or empty. Too short once normalized: the search
    engine answers 400 (it knows how `q` is normalized)."""
    q = request.query_params.get("q")
    if not q:
        return None
    if len(q) > Q_MAX_LENGTH:
        raise MalformedRequest(f"Query parameter `q` must have at most {Q_MAX_LENGTH} characters.")
    return q


class ProfileCollectionView(APIView):
    required_scopes = {"GET": READ_SCOPE, "POST": WRITE_SCOPE}

    @extend_schema(
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
        parameters=LIST_PARAMETERS,
        responses={
            200: OpenApiResponse(ProfileListSerializer, description="The profiles list."),
            **problem_responses(
                400,
                s400="Bad query parameter: `q` too short, unknown `sort`, `offset`/`count` "
                "out of range, or beyond the 10,000-profile window.",
            ),
        },
    )
    def get(self, request: Request) -> Response:
        q = _search_term(request)
        sort = request.query_params.get("sort") or DEFAULT_SORT
        offset = query_int(request, "offset", default=0, minimum=0)
        count = query_int(
            request, "count", default=LIST_DEFAULT_COUNT, minimum=1, maximum=LIST_MAX_COUNT
        )
        if offset + count > SEARCH_WINDOW:
            raise MalformedRequest(
                f"offset + count must not exceed the window of {SEARCH_WINDOW:,} profiles; "
                "narrow the search with `q` instead of paginating further."
            )
        page = selectors.profile_list(q=q, sort=sort, offset=offset, count=count)
        body = {
            "profiles": page.profiles,
            "pagination_info": {
                "count": len(page.profiles),
                "total": page.total,
                "offset": offset,
            },
        }
        return Response(ProfileListSerializer(body).data)

    @extend_schema(
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
    def post(self, request: Request) -> Response:
        data = validated_body(request, ProfileCreateSerializer)
        profile, created = services.profile_get_or_create(data=data, now=timezone.now())
        body = ProfileSerializer(profile).data
        if not created:
            return Response(body, status=status.HTTP_200_OK)
        location = reverse("profile-detail", kwargs={"profile_id": profile.pk})
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


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


class ProfileDetailView(APIView):
    required_scopes = {"GET": READ_SCOPE, "PATCH": WRITE_SCOPE}
    schema = WholeBodyPatchSchema()

    @extend_schema(
        operation_id="getProfile",
        summary="Get customer profile",
        description="The profile. Still readable while a deletion request is pending; "
        "404 once erased.",
        tags=TAGS,
        parameters=[PROFILE_ID_PARAMETER],
        responses={
            200: OpenApiResponse(ProfileSerializer, description="The customer profile."),
            **problem_responses(400, 404, s400="Malformed profile id."),
        },
    )
    def get(self, request: Request, profile_id: str) -> Response:
        _profile_id_or_400(profile_id)
        profile = selectors.profile_get(profile_id=profile_id)
        return Response(ProfileSerializer(profile).data)

    @extend_schema(
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
    def patch(self, request: Request, profile_id: str) -> Response:
        _profile_id_or_400(profile_id)
        data = validated_body(request, ProfileUpdateSerializer, ignore=READ_ONLY_ECHO_FIELDS)
        last_updated_at = data.pop("last_updated_at")
        profile = services.profile_update(
            profile_id=profile_id,
            last_updated_at=last_updated_at,
            changes=data,
            now=timezone.now(),
        )
        return Response(ProfileSerializer(profile).data)


class ProfileDeletionRequestView(APIView):
    required_scopes = {"POST": WRITE_SCOPE}

    @extend_schema(
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
            202: OpenApiResponse(
                DeletionRequestSerializer, description="Deletion request accepted."
            ),
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
    def post(self, request: Request, profile_id: str) -> Response:
        _profile_id_or_400(profile_id)
        deletion_request = deletion.deletion_request_create(
            profile_id=profile_id, now=timezone.now()
        )
        return Response(
            DeletionRequestSerializer(deletion_request).data, status=status.HTTP_202_ACCEPTED
        )
