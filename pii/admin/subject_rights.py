"""Data subject requests in the admin (docs/subject-rights.md): "Export personal
data" on a profile's page, and the erasure receipt (JSON, printable page) on an
executed deletion request's page. The profile and deletion-request admins wire
these views in (`get_urls`); the work is `pii.subject_rights`'."""

from __future__ import annotations

import json
import tempfile
from typing import Any

from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone

from pii.core.errors import NotFound
from pii.subject_rights.export import subject_export
from pii.subject_rights.receipt import receipt_document, receipt_html

EXPORT_PERMISSIONS = ("pii.view_unmasked_pii", "pii.export_personal_data")
RECEIPT_FORMATS = ("json", "html")


def can_export(request: HttpRequest) -> bool:
    return request.user.has_perms(EXPORT_PERMISSIONS)


def export_view(request: HttpRequest, object_id: str) -> HttpResponse:
    """The profile's export ZIP, written to a temporary file and streamed from it."""
    if not can_export(request):
        raise PermissionDenied
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    try:
        subject_export(object_id, archive, timezone.now())
    except NotFound as exc:
        archive.close()
        raise Http404 from exc
    except BaseException:
        archive.close()
        raise
    archive.seek(0)
    response = FileResponse(
        archive,
        as_attachment=True,
        filename=f"personal-data-{object_id}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response


def profile_export_urls(model_admin: ModelAdmin) -> list[URLPattern]:
    return [
        path(
            "<path:object_id>/export-personal-data/",
            model_admin.admin_site.admin_view(export_view),
            name="pii_profile_export_personal_data",
        )
    ]


def receipt_view(
    request: HttpRequest, object_id: str, fmt: str, model_admin: Any = None
) -> HttpResponse:
    """An executed request's erasure receipt, as JSON or as a printable page."""
    if model_admin is None or not model_admin.has_view_permission(request):
        raise PermissionDenied
    record = model_admin.get_queryset(request).filter(pk=object_id).first()
    receipt = receipt_document(record) if record is not None else None
    if receipt is None or fmt not in RECEIPT_FORMATS:
        raise Http404
    if fmt == "html":
        response = HttpResponse(receipt_html(receipt), content_type="text/html; charset=utf-8")
    else:
        response = HttpResponse(
            json.dumps(receipt, indent=2, sort_keys=True), content_type="application/json"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="erasure-receipt-{receipt["deletion_request_id"]}.json"'
        )
    response["Cache-Control"] = "no-store"
    return response


def deletion_receipt_urls(model_admin: ModelAdmin) -> list[URLPattern]:
    return [
        path(
            f"<path:object_id>/receipt.{fmt}",
            model_admin.admin_site.admin_view(receipt_view),
            {"fmt": fmt, "model_admin": model_admin},
            name=f"pii_deletionrequest_receipt_{fmt}",
        )
        for fmt in RECEIPT_FORMATS
    ]
