"""`POST /tokenize` and `POST /detokenize`: validate, one service call, serialize.

The OpenAPI decoration lives in pii.api.token_schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pii.api import token_schema
from pii.api.base import validated_body
from pii.api.token_render import SplicingJSONRenderer
from pii.api.token_serializers import (
    DetokenizeInputSerializer,
    DetokenizeOutputSerializer,
    TokenizeInputSerializer,
)
from pii.audit import actions
from pii.audit.services import audit_record
from pii.core import registry
from pii.core.scopes import Scope
from pii.tokens.selectors import tokens_resolve
from pii.tokens.services import tokens_create


class KeyedBatchView(APIView):
    """`POST` a JSON object of keys; the answer is keyed the same way.

    Both operations list no 422: validation failures answer 400.
    """

    validation_error_status = 400
    input_serializer: type[serializers.Serializer]

    def post(self, request: Request) -> Response:
        body = validated_body(request, self.input_serializer)
        return Response(self.answer(body, now=timezone.now()))

    def answer(self, body: dict[str, Any], *, now: datetime) -> Any:
        raise NotImplementedError


@extend_schema_view(post=token_schema.tokenize)
class TokenizeView(KeyedBatchView):
    required_scopes = {"POST": Scope.TOKENIZE}
    input_serializer = TokenizeInputSerializer

    def answer(self, body: dict[str, Any], *, now: datetime) -> Any:
        # The body TokenizeOutputSerializer describes, built directly: its
        # values are strings already (no per-key field to run).
        result = tokens_create(values=body["data"], now=now)
        return {"tokens": result.tokens, "errors": result.errors}


@extend_schema_view(post=token_schema.detokenize)
class DetokenizeView(KeyedBatchView):
    required_scopes = {"POST": Scope.DETOKENIZE}
    input_serializer = DetokenizeInputSerializer
    # Data entries' base64 content is spliced into the body (pii.api.token_render).
    renderer_classes = [SplicingJSONRenderer]

    def answer(self, body: dict[str, Any], *, now: datetime) -> Any:
        scopes = self.request.auth.scopes or ()
        result = tokens_resolve(tokens=body["tokens"], scopes=scopes, now=now)
        resolved: dict[str, list[str]] = {}
        for key, found in result.data.items():
            resolved.setdefault(found.kind, []).append(body["tokens"][key])
        audit_record(
            action=actions.TOKEN_DETOKENIZE,
            object_kind="token",
            object_ids=sorted({token_id for ids in resolved.values() for token_id in ids}),
            details={
                "resolved": {kind: sorted(set(ids)) for kind, ids in sorted(resolved.items())},
                "not_found": len(result.errors),
            },
            now=now,
        )
        # Each kind is shown the way its app's API shows it (the registry knows how).
        represent = {resolver.kind: resolver.represent for resolver in registry.resolvers()}
        data = {key: represent[found.kind](found.value) for key, found in result.data.items()}
        return DetokenizeOutputSerializer({"data": data, "errors": result.errors}).data
