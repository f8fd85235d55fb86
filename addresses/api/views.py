"""The five address operations under /profiles/{profile_id}/addresses.

Each handler: check the path ids, validate the body or query, make one service
or selector call, serialize. Errors are raised, never built here; the OpenAPI
decoration is `addresses.api.schema`.

Malformed ids (not `NS-{REGION}-{ULID}-{ULID}`) answer 400 where the reference
lists 400 for the operation (get-or-create, get, delete) and 404 where it does
not (list, patch): such an id names no address or profile.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from addresses import selectors, services
from addresses.api import schema
from addresses.api.serializers import (
    AddressCreateSerializer,
    AddressListQuerySerializer,
    AddressUpdateSerializer,
    address_json,
)
from addresses.models import Address
from pii.api.base import json_response, validated_body, validated_patch
from pii.api.query import validated_query
from pii.audit import actions
from pii.core.errors import MalformedId, NotFound
from pii.core.ids import is_object_id
from pii.core.scopes import Scope


def _check_ids(*ids: str, malformed_is_404: bool = False) -> None:
    """MalformedId (400) for a malformed id; NotFound where the operation lists no 400."""
    if all(is_object_id(i) for i in ids):
        return
    if malformed_is_404:
        raise NotFound()
    raise MalformedId("The profile or address id is malformed.")


def _address_response(
    address: Address, status_code: int = status.HTTP_200_OK, headers: dict | None = None
) -> Response:
    return Response(address_json(address), status=status_code, headers=headers)


class AddressCollectionView(APIView):
    required_scopes = {"GET": Scope.PROFILES_READ, "POST": Scope.PROFILES_WRITE}

    @schema.list_addresses
    def get(self, request: Request, profile_id: str) -> Response:
        _check_ids(profile_id, malformed_is_404=True)
        query = validated_query(request, AddressListQuerySerializer)
        offset, count = query["offset"], query["count"]
        page, total = selectors.address_list(profile_id=profile_id, offset=offset, count=count)
        services.address_record(
            actions.ADDRESS_LIST,
            profile_id=profile_id,
            address_ids=[address.pk for address in page],
            now=timezone.now(),
            details={"count": len(page), "total": total},
        )
        # AddressListSerializer's shape (the documented one), built directly.
        body = {
            "addresses": [address_json(address) for address in page],
            "pagination_info": {"count": len(page), "total": total, "offset": offset},
        }
        return Response(body)

    @schema.get_or_create_address
    def post(self, request: Request, profile_id: str) -> Response:
        _check_ids(profile_id)
        data = validated_body(request, AddressCreateSerializer)
        address, created = services.address_get_or_create(
            profile_id=profile_id, data=data, now=timezone.now()
        )
        if not created:
            return _address_response(address)
        location = reverse(
            "profile-address-detail",
            kwargs={"profile_id": profile_id, "address_id": address.pk},
        )
        return _address_response(address, status.HTTP_201_CREATED, headers={"Location": location})


class AddressDetailView(APIView):
    required_scopes = {
        "GET": Scope.PROFILES_READ,
        "PATCH": Scope.PROFILES_WRITE,
        "DELETE": Scope.PROFILES_WRITE,
    }

    @schema.get_address
    def get(self, request: Request, profile_id: str, address_id: str) -> HttpResponse:
        _check_ids(profile_id, address_id)
        address = selectors.address_read(
            profile_id=profile_id, address_id=address_id, now=timezone.now()
        )
        return json_response(address_json(address))

    @schema.update_address
    def patch(self, request: Request, profile_id: str, address_id: str) -> Response:
        _check_ids(profile_id, address_id, malformed_is_404=True)
        last_updated_at, changes = validated_patch(request, AddressUpdateSerializer)
        address = services.address_update(
            profile_id=profile_id,
            address_id=address_id,
            last_updated_at=last_updated_at,
            changes=changes,
            now=timezone.now(),
        )
        return _address_response(address)

    @schema.delete_address
    def delete(self, request: Request, profile_id: str, address_id: str) -> Response:
        _check_ids(profile_id, address_id)
        services.address_delete(profile_id=profile_id, address_id=address_id, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)
