"""The five profile operations: list/search, get-or-create, get, update, delete request.

Each handler: check the path id, validate the body or query, make one service
or selector call, serialize; reads are recorded in the access log before the
answer (writes are, by their service). Errors are raised (pii.core.errors), never built here;
the clock is read here and passed in as `now=`. The OpenAPI decoration lives in
pii.api.profile_schema.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pii.api import profile_schema
from pii.api.base import json_response, validated_body, validated_patch
from pii.api.profile_query import ProfileListQuerySerializer
from pii.api.profile_serializers import (
    DeletionRequestSerializer,
    ProfileCreateSerializer,
    ProfileListSerializer,
    ProfileSerializer,
    ProfileUpdateSerializer,
    profile_json,
)
from pii.api.query import validated_query
from pii.audit import actions
from pii.audit.services import audit_record
from pii.core.errors import MalformedId
from pii.core.ids import is_object_id
from pii.core.scopes import Scope
from pii.profiles import deletion, selectors, services


def _profile_id_or_400(profile_id: str) -> None:
    if not is_object_id(profile_id):
        raise MalformedId("The profile id is malformed.")


class ProfileCollectionView(APIView):
    required_scopes = {"GET": Scope.PROFILES_READ, "POST": Scope.PROFILES_WRITE}

    @profile_schema.list_profiles
    def get(self, request: Request) -> Response:
        query = validated_query(request, ProfileListQuerySerializer)
        # The selector refuses `offset + count` beyond the search window (QueryTooBroad).
        page = selectors.profile_list(
            q=query.get("q"), sort=query["sort"], offset=query["offset"], count=query["count"]
        )
        # One event for the page: the ids returned, never the search term.
        audit_record(
            action=actions.PROFILE_LIST,
            object_kind="profile",
            object_ids=[profile.pk for profile in page.profiles],
            details={
                "count": len(page.profiles),
                "total": page.total,
                "searched": bool(query.get("q")),
            },
            now=timezone.now(),
        )
        body = {
            "profiles": page.profiles,
            "pagination_info": {
                "count": len(page.profiles),
                "total": page.total,
                "offset": query["offset"],
            },
        }
        return Response(ProfileListSerializer(body).data)

    @profile_schema.get_or_create_profile
    def post(self, request: Request) -> Response:
        data = validated_body(request, ProfileCreateSerializer)
        profile, created = services.profile_get_or_create(data=data, now=timezone.now())
        body = ProfileSerializer(profile).data
        if not created:
            return Response(body, status=status.HTTP_200_OK)
        location = reverse("profile-detail", kwargs={"profile_id": profile.pk})
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class ProfileDetailView(APIView):
    required_scopes = {"GET": Scope.PROFILES_READ, "PATCH": Scope.PROFILES_WRITE}
    schema = profile_schema.WholeBodyPatchSchema()

    @profile_schema.get_profile
    def get(self, request: Request, profile_id: str) -> HttpResponse:
        _profile_id_or_400(profile_id)
        profile = selectors.profile_read(profile_id=profile_id, now=timezone.now())
        return json_response(profile_json(profile))

    @profile_schema.update_profile
    def patch(self, request: Request, profile_id: str) -> Response:
        _profile_id_or_400(profile_id)
        last_updated_at, changes = validated_patch(request, ProfileUpdateSerializer)
        profile = services.profile_update(
            profile_id=profile_id,
            last_updated_at=last_updated_at,
            changes=changes,
            now=timezone.now(),
        )
        return Response(ProfileSerializer(profile).data)


class ProfileDeletionRequestView(APIView):
    required_scopes = {"POST": Scope.PROFILES_WRITE}

    @profile_schema.request_profile_deletion
    def post(self, request: Request, profile_id: str) -> Response:
        _profile_id_or_400(profile_id)
        deletion_request = deletion.deletion_request_create(
            profile_id=profile_id, now=timezone.now()
        )
        return Response(
            DeletionRequestSerializer(deletion_request).data, status=status.HTTP_202_ACCEPTED
        )
