"""`POST /tokenize` and `POST /detokenize`: validate, one service call, serialize.

Both operations list no 422: validation failures answer 400.
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pii.api import token_schema
from pii.api.base import validated_body
from pii.api.token_serializers import (
    DetokenizeInputSerializer,
    DetokenizeOutputSerializer,
    TokenizeInputSerializer,
    TokenizeOutputSerializer,
)
from pii.core import registry
from pii.core.scopes import Scope
from pii.tokens.selectors import tokens_resolve
from pii.tokens.services import tokens_create


class TokenizeView(APIView):
    required_scopes = {"POST": Scope.TOKENIZE}
    validation_error_status = 400

    @token_schema.tokenize
    def post(self, request: Request) -> Response:
        body = validated_body(request, TokenizeInputSerializer)
        result = tokens_create(values=body["data"], now=timezone.now())
        return Response(TokenizeOutputSerializer(result).data)


class DetokenizeView(APIView):
    required_scopes = {"POST": Scope.DETOKENIZE}
    validation_error_status = 400

    @token_schema.detokenize
    def post(self, request: Request) -> Response:
        body = validated_body(request, DetokenizeInputSerializer)
        result = tokens_resolve(tokens=body["tokens"], now=timezone.now())
        represent = {resolver.kind: resolver.represent for resolver in registry.resolvers()}
        data = {key: represent[found.kind](found.value) for key, found in result.data.items()}
        return Response(DetokenizeOutputSerializer({"data": data, "errors": result.errors}).data)
