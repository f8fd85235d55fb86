"""The three `/data` operations: store, read back, delete.

Each handler: check the path id, validate the body, make one service or
selector call, answer. Errors are raised, never built here. `GET` answers the
stored bytes themselves (not JSON), streamed from the decrypted buffer in
chunks with an exact `Content-Length`, so a large entry is not copied again.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pii.api.base import validated_body
from pii.api.openapi import problem_responses
from pii.core.errors import MalformedRequest
from pii.core.ids import DATA_ID_RE, is_data_id
from vault import selectors, services
from vault.api.parsers import DataBodyParser
from vault.api.serializers import DataEntryCreatedSerializer, DataEntryCreateSerializer

READ_SCOPE = "data:read"
WRITE_SCOPE = "data:write"
TAGS = ["data"]
# Bytes handed to the server per write when streaming a content back.
STREAM_CHUNK_SIZE = 256 * 1024

DATA_ID_PARAMETER = OpenApiParameter(
    "data_id",
    str,
    OpenApiParameter.PATH,
    description="Data ID.",
    pattern=DATA_ID_RE.pattern,
    examples=[OpenApiExample("Data ID", value="NS-EU-a5548746-acc1-4d75-81b9-72aec2bfebb7")],
)
LOCATION_HEADER = OpenApiParameter(
    "Location", str, OpenApiParameter.HEADER, description="Path of the new entry.", response=[201]
)
CONTENT_HEADERS = [
    OpenApiParameter(
        "Content-Length",
        int,
        OpenApiParameter.HEADER,
        description="Size of the content in bytes.",
        response=[200],
    ),
    OpenApiParameter(
        "Cache-Control",
        str,
        OpenApiParameter.HEADER,
        description="Always `no-store`.",
        response=[200],
    ),
]


def _id_or_400(data_id: str) -> None:
    if not is_data_id(data_id):
        raise MalformedRequest("The data id is malformed: expected NS-{REGION}-{uuid4}.")


def _chunks(content: bytes | bytearray) -> Iterator[memoryview]:
    view = memoryview(content)
    for start in range(0, len(view), STREAM_CHUNK_SIZE):
        yield view[start : start + STREAM_CHUNK_SIZE]


class DataEntryCollectionView(APIView):
    required_scopes = {"POST": WRITE_SCOPE}
    # The operation lists no 422: validation failures answer 400.
    validation_error_status = 400
    parser_classes = [DataBodyParser]

    @extend_schema(
        operation_id="createDataEntry",
        summary="Store a new PII data entry in a residency compliant way",
        description=(
            "Stores the bytes of `content` (standard base64) encrypted, with their media "
            "type, for `ttl` days (kept until deleted when `ttl` is absent or null). "
            "Answers 201 with the new id. Bad base64, media type or ttl, missing or "
            "unknown fields: 400. Decoded content over the configured limit (`DATA_MAX_BYTES`, "
            "default 10 MiB), or a request body over the request-size limit: 413."
        ),
        tags=TAGS,
        deprecated=True,
        parameters=[LOCATION_HEADER],
        request=DataEntryCreateSerializer,
        responses={
            201: OpenApiResponse(
                DataEntryCreatedSerializer, description="The create data response."
            ),
            **problem_responses(
                400,
                413,
                s400="Bad base64, bad media type, bad ttl, missing or unknown fields, or a "
                "body that is not a JSON object.",
                s413="Decoded content over `DATA_MAX_BYTES`, or request body over the limit.",
            ),
        },
        examples=[
            OpenApiExample(
                "Store a PDF",
                value={"content_type": "application/pdf", "content": "JVBERi0xLjcK", "ttl": 30},
                request_only=True,
            ),
            OpenApiExample(
                "Created",
                value={"id": "NS-EU-a5548746-acc1-4d75-81b9-72aec2bfebb7"},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
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
    required_scopes = {"GET": READ_SCOPE, "DELETE": WRITE_SCOPE}

    @extend_schema(
        operation_id="getDataEntry",
        summary="Get data entry for the provided data ID",
        description=(
            "Answers the stored bytes exactly, with the stored media type as `Content-Type`, "
            "their `Content-Length` and `Cache-Control: no-store`. An expired entry answers "
            "404 at once, even before `purge_expired` removes it."
        ),
        tags=TAGS,
        deprecated=True,
        parameters=[DATA_ID_PARAMETER, *CONTENT_HEADERS],
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The data entry. The content-type is the one it was stored with.",
            ),
            **problem_responses(
                400, 404, s400="Malformed data id.", s404="The data was not found (or expired)."
            ),
        },
    )
    def get(self, request: Request, data_id: str) -> StreamingHttpResponse:
        _id_or_400(data_id)
        entry = selectors.data_entry_get(data_id=data_id, now=timezone.now())
        response = StreamingHttpResponse(_chunks(entry.content), content_type=entry.content_type)
        response["Content-Length"] = str(len(entry.content))
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        operation_id="deleteDataEntry",
        summary="Delete data",
        description="Deletes the entry for good. An expired entry answers 404.",
        tags=TAGS,
        deprecated=True,
        parameters=[DATA_ID_PARAMETER],
        responses={
            204: OpenApiResponse(description="The delete data entry response."),
            **problem_responses(
                400, 404, s400="Malformed data id.", s404="Data entry not found (or expired)."
            ),
        },
    )
    def delete(self, request: Request, data_id: str) -> Response:
        _id_or_400(data_id)
        services.data_entry_delete(data_id=data_id, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)
