"""`POST /tokenize` and `POST /detokenize`: validate, one service call, serialize."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pii.api.base import validated_body
from pii.api.openapi import problem_responses
from pii.api.token_serializers import (
    DetokenizeInputSerializer,
    DetokenizeOutputSerializer,
    TokenizeInputSerializer,
    TokenizeOutputSerializer,
)
from pii.core import registry
from pii.tokens.services import tokens_create, tokens_resolve

TAGS = ["tokenOperations"]


class TokenizeView(APIView):
    required_scopes = {"POST": "tokenize"}
    # The operation lists no 422: validation failures answer 400.
    validation_error_status = 400

    @extend_schema(
        operation_id="tokenize",
        summary="Tokenize PII data",
        description=(
            "Stores each value (any JSON value, encrypted) and answers a token per key. "
            "Tokens expire after `TOKEN_TTL_DAYS` (default 30) days. A value over 64 KiB "
            "of JSON gets the per-key error `invalid_value_error`; the others still get "
            "tokens. Answers 200 even when some keys have errors."
        ),
        tags=TAGS,
        request=TokenizeInputSerializer,
        responses={
            200: OpenApiResponse(
                TokenizeOutputSerializer, description="Tokens and per-key errors."
            ),
            **problem_responses(400),
        },
        examples=[
            OpenApiExample(
                "Tokenize",
                value={"data": {"email": "john.doe@example.org", "points": 42}},
                request_only=True,
            ),
            OpenApiExample(
                "Tokens",
                value={
                    "tokens": {
                        "email": "NS-EU-01FXX5DQ3NP19AKJK7045F5ST2-01FXX5DZFQ9CJQ3D29JPTXXXRX"
                    },
                    "errors": {"points": "invalid_value_error"},
                },
                response_only=True,
                status_codes=["200"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        body = validated_body(request, TokenizeInputSerializer)
        result = tokens_create(values=body["data"], now=timezone.now())
        return Response(TokenizeOutputSerializer(result).data)


class DetokenizeView(APIView):
    required_scopes = {"POST": "detokenize"}
    # The operation lists no 422: validation failures answer 400.
    validation_error_status = 400

    @extend_schema(
        operation_id="detokenize",
        summary="Detokenize multiple tokens",
        description=(
            "Resolves each token to what it names: a `/tokenize` token to its value, a "
            "profile id to the profile, an address id to the address, a data id to "
            '`{"content_type": ..., "content": "<base64>"}`. Unknown, expired, erased and '
            "malformed tokens get the per-key error `token_not_found_error`; the call "
            "still answers 200."
        ),
        tags=TAGS,
        request=DetokenizeInputSerializer,
        responses={
            200: OpenApiResponse(
                DetokenizeOutputSerializer, description="Values and per-key errors."
            ),
            **problem_responses(400),
        },
        examples=[
            OpenApiExample(
                "Detokenize",
                value={
                    "tokens": {
                        "key1": "NS-EU-01FXX4SCM7D4FCFJT8ZKD4JRV7-01FXX4SHNQQK1XDQHTZX6V6608",
                        "key2": "NS-EU-01FXX4SPXKPQCEWSZRZS9D7992-01FXX4SWFJKK66QGEEWQ8TRPAM",
                    }
                },
                request_only=True,
            ),
            OpenApiExample(
                "Values",
                value={
                    "data": {"key1": "john.doe@example.org"},
                    "errors": {"key2": "token_not_found_error"},
                },
                response_only=True,
                status_codes=["200"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        body = validated_body(request, DetokenizeInputSerializer)
        result = tokens_resolve(tokens=body["tokens"], now=timezone.now())
        represent = {resolver.kind: resolver.represent for resolver in registry.resolvers()}
        data = {key: represent[found.kind](found.value) for key, found in result.data.items()}
        return Response(DetokenizeOutputSerializer({"data": data, "errors": result.errors}).data)
