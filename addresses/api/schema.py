"""The OpenAPI decoration of the address operations (`addresses.api.views`).

Each name is an `extend_schema` decorator applied to one handler.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from addresses import services
from addresses.api.serializers import (
    LIST_DEFAULT_COUNT,
    LIST_MAX_COUNT,
    AddressCreateSerializer,
    AddressListQuerySerializer,
    AddressListSerializer,
    AddressSerializer,
    AddressUpdateSerializer,
)
from pii.api.openapi import problem_responses
from pii.core.ids import OBJECT_ID_RE

TAGS = ["address"]

PROFILE_ID_PARAMETER = OpenApiParameter(
    "profile_id",
    str,
    OpenApiParameter.PATH,
    description="Profile ID.",
    pattern=OBJECT_ID_RE.pattern,
)
ADDRESS_ID_PARAMETER = OpenApiParameter(
    "address_id",
    str,
    OpenApiParameter.PATH,
    description="Address ID.",
    pattern=OBJECT_ID_RE.pattern,
)
IDS = [PROFILE_ID_PARAMETER, ADDRESS_ID_PARAMETER]
LOCATION_HEADER = OpenApiParameter(
    "Location",
    str,
    OpenApiParameter.HEADER,
    description="Path of the new address.",
    response=[201],
)
MALFORMED_IDS = "Malformed profile or address id."


def _address(description: str) -> OpenApiResponse:
    return OpenApiResponse(AddressSerializer, description=description)


list_addresses = extend_schema(
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

get_or_create_address = extend_schema(
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
        200: _address("Existing address response."),
        201: _address("The created address."),
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

get_address = extend_schema(
    operation_id="getAddress",
    summary="Get address for profile id and address id",
    tags=TAGS,
    parameters=IDS,
    responses={
        200: _address("The address."),
        **problem_responses(
            400,
            404,
            s400=MALFORMED_IDS,
            s404="Profile or address not found (or the address belongs to another profile).",
        ),
    },
)

update_address = extend_schema(
    operation_id="updateAddress",
    summary="Update address",
    description="Only the fields sent change; null clears an optional field; "
    "required fields cannot be cleared (422). `last_updated_at` must equal the "
    "address's `updated_at`, else 409 with `current_updated_at`. 409 also when the "
    "result would equal another address of the profile, and while the profile has "
    "a pending deletion request. A malformed id answers 404. Read-only fields "
    "(`id`, `created_at`, `updated_at`) echoed back are ignored.",
    tags=TAGS,
    parameters=IDS,
    request=AddressUpdateSerializer,
    responses={
        200: _address("The updated address."),
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

delete_address = extend_schema(
    operation_id="deleteAddress",
    summary="Delete address",
    tags=TAGS,
    parameters=IDS,
    responses={
        204: OpenApiResponse(description="The address was deleted."),
        **problem_responses(
            400,
            404,
            409,
            s400=MALFORMED_IDS,
            s404="Profile or address not found.",
            s409="The profile has a pending deletion request.",
        ),
    },
)
