"""The five address operations under /profiles/{profile_id}/addresses.

Each handler: check the path ids, validate the body or query, make one service
or selector call, serialize. Errors are raised, never built here.

Malformed ids (not `NS-{REGION}-{ULID}-{ULID}`) answer 400 where the reference
lists 400 for the operation (get-or-create, get, delete) and 404 where it does
not (list, patch): such an id names no address or profile.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from addresses import selectors, services
from addresses.api.serializers import (
    LIST_DEFAULT_COUNT,
    LIST_MAX_COUNT,
    AddressCreateSerializer,
    AddressListQuerySerializer,
    AddressListSerializer,
    AddressSerializer,
    AddressUpdateSerializer,
)
from pii.api.base import READ_ONLY_ECHO_FIELDS, query_int, validated_body
from pii.api.openapi import problem_responses
from pii.core.errors import MalformedRequest, NotFound
from pii.core.ids import OBJECT_ID_RE, is_object_id

READ_SCOPE = "profiles:read"
WRITE_SCOPE = "profiles:write"
TAGS = ["address"]
ID_PATTERN = OBJECT_ID_RE.pattern

PROFILE_ID_PARAMETER = OpenApiParameter(
    "profile_id", str, OpenApiParameter.PATH, description="Profile ID.", pattern=ID_PATTERN
)
ADDRESS_ID_PARAMETER = OpenApiParameter(
    "address_id", str, OpenApiParameter.PATH, description="Address ID.", pattern=ID_PATTERN
)
LOCATION_HEADER = OpenApiParameter(
    "Location",
    str,
    OpenApiParameter.HEADER,
    description="Path of the new address.",
    response=[201],
)


def _ids_or_400(*ids: str) -> None:
    if not all(is_object_id(i) for i in ids):
        raise MalformedRequest("The profile or address id is malformed.")


def _ids_or_404(*ids: str) -> None:
    if not all(is_object_id(i) for i in ids):
        raise NotFound()


class AddressCollectionView(APIView):
    required_scopes = {"GET": READ_SCOPE, "POST": WRITE_SCOPE}

    @extend_schema(
        operation_id="listAddresses",
        summary="List addresses for profile id",
        description="The profile's addresses, oldest first. `offset` >= 0, `count` "
        f"1 to {LIST_MAX_COUNT} (default {LIST_DEFAULT_COUNT}); outside those: 400. "
        "A malformed profile id answers 404.",
        tags=TAGS,
        parameters=[PROFILE_ID_PARAMETER, AddressListQuerySerializer],
        responses={
            200: OpenApiResponse(AddressListSerializer, description="The addresses list."),
            **problem_responses(
                400,
                404,
                s400="Bad query parameter (`offset` or `count` out of range).",
                s404="Profile not found.",
            ),
        },
    )
    def get(self, request: Request, profile_id: str) -> Response:
        _ids_or_404(profile_id)
        offset = query_int(request, "offset", default=0, minimum=0)
        count = query_int(
            request, "count", default=LIST_DEFAULT_COUNT, minimum=1, maximum=LIST_MAX_COUNT
        )
        page, total = selectors.address_list(profile_id=profile_id, offset=offset, count=count)
        body = {
            "addresses": page,
            "pagination_info": {"count": len(page), "total": total, "offset": offset},
        }
        return Response(AddressListSerializer(body).data)

    @extend_schema(
        operation_id="getOrCreateAddress",
        summary="Get or create address",
        description="Returns the profile's address equal in every field (after trimming "
        "white space, ignoring letter case) with 200, else creates it: 201 with a "
        "`Location` header. At most "
        f"{services.MAX_ADDRESSES_PER_PROFILE} addresses per profile (422 beyond). "
        "409 while the profile has a pending deletion request.",
        tags=TAGS,
        parameters=[PROFILE_ID_PARAMETER, LOCATION_HEADER],
        request=AddressCreateSerializer,
        responses={
            200: OpenApiResponse(AddressSerializer, description="Existing address response."),
            201: OpenApiResponse(AddressSerializer, description="The created address."),
            **problem_responses(
                400,
                404,
                409,
                413,
                422,
                s400="Body not a JSON object, or malformed profile id.",
                s404="Profile not found.",
                s409="The profile has a pending deletion request.",
                s422="Validation failed, unknown fields, or the profile has the "
                "maximum number of addresses.",
            ),
        },
    )
    def post(self, request: Request, profile_id: str) -> Response:
        _ids_or_400(profile_id)
        data = validated_body(request, AddressCreateSerializer)
        address, created = services.address_get_or_create(
            profile_id=profile_id, data=data, now=timezone.now()
        )
        body = AddressSerializer(address).data
        if not created:
            return Response(body, status=status.HTTP_200_OK)
        location = reverse(
            "profile-address-detail",
            kwargs={"profile_id": profile_id, "address_id": address.pk},
        )
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class AddressDetailView(APIView):
    required_scopes = {"GET": READ_SCOPE, "PATCH": WRITE_SCOPE, "DELETE": WRITE_SCOPE}

    @extend_schema(
        operation_id="getAddress",
        summary="Get address for profile id and address id",
        tags=TAGS,
        parameters=[PROFILE_ID_PARAMETER, ADDRESS_ID_PARAMETER],
        responses={
            200: OpenApiResponse(AddressSerializer, description="The address."),
            **problem_responses(
                400,
                404,
                s400="Malformed profile or address id.",
                s404="Profile or address not found (or the address belongs to another profile).",
            ),
        },
    )
    def get(self, request: Request, profile_id: str, address_id: str) -> Response:
        _ids_or_400(profile_id, address_id)
        address = selectors.address_get(profile_id=profile_id, address_id=address_id)
        return Response(AddressSerializer(address).data)

    @extend_schema(
        operation_id="updateAddress",
        summary="Update address",
        description="Only the fields sent change; null clears an optional field; "
        "required fields cannot be cleared (422). `last_updated_at` must equal the "
        "address's `updated_at`, else 409 with `current_updated_at`. 409 also when the "
        "result would equal another address of the profile, and while the profile has "
        "a pending deletion request. A malformed id answers 404. Read-only fields "
        "(`id`, `created_at`, `updated_at`) echoed back are ignored.",
        tags=TAGS,
        parameters=[PROFILE_ID_PARAMETER, ADDRESS_ID_PARAMETER],
        request=AddressUpdateSerializer,
        responses={
            200: OpenApiResponse(AddressSerializer, description="The updated address."),
            **problem_responses(
                400,
                404,
                409,
                413,
                422,
                s400="The body is not a JSON object.",
                s404="Profile or address not found.",
                s409="Stale `last_updated_at` (the body carries `current_updated_at`), "
                "equal to another address of the profile, or deletion pending.",
            ),
        },
    )
    def patch(self, request: Request, profile_id: str, address_id: str) -> Response:
        _ids_or_404(profile_id, address_id)
        data = validated_body(request, AddressUpdateSerializer, ignore=READ_ONLY_ECHO_FIELDS)
        last_updated_at = data.pop("last_updated_at")
        address = services.address_update(
            profile_id=profile_id,
            address_id=address_id,
            last_updated_at=last_updated_at,
            changes=data,
            now=timezone.now(),
        )
        return Response(AddressSerializer(address).data)

    @extend_schema(
        operation_id="deleteAddress",
        summary="Delete address",
        tags=TAGS,
        parameters=[PROFILE_ID_PARAMETER, ADDRESS_ID_PARAMETER],
        responses={
            204: OpenApiResponse(description="The address was deleted."),
            **problem_responses(
                400,
                404,
                409,
                s400="Malformed profile or address id.",
                s404="Profile or address not found.",
                s409="The profile has a pending deletion request.",
            ),
        },
    )
    def delete(self, request: Request, profile_id: str, address_id: str) -> Response:
        _ids_or_400(profile_id, address_id)
        services.address_delete(profile_id=profile_id, address_id=address_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
