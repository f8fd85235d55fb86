"""The three `/data` operations: store, read back, delete.

Each handler: check the path id, validate the body, make one service or
selector call, answer. Errors are raised, never built here; the OpenAPI
decoration is `vault.api.schema`. `GET` answers the stored bytes themselves
(not JSON) with an exact `Content-Length`: an entry larger than one chunk is
streamed from the decrypted buffer in chunks, so it is not copied again; a
smaller one is answered in one piece. Whatever media type
was stored (`text/html` too), it is an attachment named by its id in a CSP
sandbox: a stored document never runs script on the API's origin.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pii.api.base import validated_body
from pii.core.errors import MalformedId
from pii.core.ids import is_data_id
from pii.core.scopes import Scope
from vault import selectors, services
from vault.api import schema
from vault.api.parsers import DataBodyParser
from vault.api.serializers import DataEntryCreatedSerializer, DataEntryCreateSerializer

# Bytes handed to the server per write when streaming a content back.
STREAM_CHUNK_SIZE = 256 * 1024


def _check_id(data_id: str) -> None:
    if not is_data_id(data_id):
        raise MalformedId("The data id is malformed: expected NS-{REGION}-{uuid4}.")


def _chunks(content: bytes | bytearray) -> Iterator[memoryview]:
    view = memoryview(content)
    for start in range(0, len(view), STREAM_CHUNK_SIZE):
        yield view[start : start + STREAM_CHUNK_SIZE]


class DataEntryCollectionView(APIView):
    required_scopes = {"POST": Scope.DATA_WRITE}
    # The operation lists no 422: validation failures answer 400.
    validation_error_status = 400
    parser_classes = [DataBodyParser]

    @schema.create_data_entry
    def post(self, request: Request) -> Response:
        body = validated_body(request, DataEntryCreateSerializer)
        entry = services.data_entry_create(
            content_type=body["content_type"],
            content=body["content"],
            ttl_days=body.get("ttl"),
            now=timezone.now(),
        )
        location = reverse("data-detail", kwargs={"data_id": entry.pk})
        return Response(
            DataEntryCreatedSerializer(entry).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


class DataEntryDetailView(APIView):
    required_scopes = {"GET": Scope.DATA_READ, "DELETE": Scope.DATA_WRITE}

    @schema.get_data_entry
    def get(self, request: Request, data_id: str) -> HttpResponseBase:
        _check_id(data_id)
        now = timezone.now()
        entry = selectors.data_entry_read(data_id=data_id, now=now)
        response: HttpResponseBase
        if len(entry.content) <= STREAM_CHUNK_SIZE:
            # One chunk anyway: a plain response is one write, with no generator.
            response = HttpResponse(bytes(entry.content), content_type=entry.content_type)
        else:
            response = StreamingHttpResponse(
                _chunks(entry.content), content_type=entry.content_type
            )
        response["Content-Length"] = str(len(entry.content))
        response["Cache-Control"] = "no-store"
        # The id is the whole filename: `NS-XX-` and hex, nothing to quote or
        # escape, and nothing of the client's (no name was ever stored).
        response["Content-Disposition"] = f'attachment; filename="{entry.pk}"'
        # With SecurityMiddleware's `X-Content-Type-Options: nosniff` (global).
        response["Content-Security-Policy"] = "sandbox"
        return response

    @schema.delete_data_entry
    def delete(self, request: Request, data_id: str) -> Response:
        _check_id(data_id)
        services.data_entry_delete(data_id=data_id, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)
