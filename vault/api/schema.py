"""The OpenAPI decoration of the `/data` operations (`vault.api.views`).

Each name is an `extend_schema` decorator applied to one handler.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from pii.api.openapi import problem_responses, request_response_examples
from pii.core.ids import DATA_ID_RE
from vault.api.serializers import DataEntryCreatedSerializer, DataEntryCreateSerializer

TAGS = ["data"]
DATA_ID_EXAMPLE = "NS-EU-a5548746-acc1-4d75-81b9-72aec2bfebb7"

DATA_ID_PARAMETER = OpenApiParameter(
    "data_id",
    str,
    OpenApiParameter.PATH,
    description="Data ID.",
    pattern=DATA_ID_RE.pattern,
    examples=[OpenApiExample("Data ID", value=DATA_ID_EXAMPLE)],
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

create_data_entry = extend_schema(
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
        201: OpenApiResponse(DataEntryCreatedSerializer, description="The create data response."),
        **problem_responses(
            400,
            413,
            s400="Bad base64, bad media type, bad ttl, missing or unknown fields, or a "
            "body that is not a JSON object.",
            s413="Decoded content over `DATA_MAX_BYTES`, or request body over the limit.",
        ),
    },
    examples=request_response_examples(
        ("Store a PDF", {"content_type": "application/pdf", "content": "JVBERi0xLjcK", "ttl": 30}),
        ("Created", {"id": DATA_ID_EXAMPLE}),
        status=201,
    ),
)

get_data_entry = extend_schema(
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

delete_data_entry = extend_schema(
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
