"""HTTP hardening that no view should have to think about: the
Permissions-Policy header, and the request-size limit, enforced before any
part of a body is read or written to disk.

The Content-Security-Policy itself comes from django-csp (settings:
CONTENT_SECURITY_POLICY).
"""

import logging
from types import MethodType

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParser
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from common.errors import TooLarge
from common.http import is_api_request

logger = logging.getLogger(__name__)


class PermissionsPolicyMiddleware:
    """Turn off, on every response, the browser features the product never
    uses (settings.PERMISSIONS_POLICY: feature -> allowed origins, empty for none)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response


class RequestBodyTooLarge(RequestDataTooBig):
    """A body past REQUEST_BODY_MAX_BYTES. A RequestDataTooBig, so Django
    stops reading and hands it to handler400, which answers 413."""


def too_large_response(request, limit: int | None = None) -> HttpResponse:
    """413 for a body past `limit` (REQUEST_BODY_MAX_BYTES unless another):
    JSON under /api/, a page elsewhere, in the language the browser asks for
    (the person's own setting lives in the session, which is not read yet)."""
    with translation.override(translation.get_language_from_request(request)):
        message = _(
            "What you sent is larger than %(limit)s, the most one message can carry. "
            "Send fewer or smaller files, several messages if need be."
        ) % {"limit": filesizeformat(limit or settings.REQUEST_BODY_MAX_BYTES)}
        if is_api_request(request):
            return JsonResponse({"error": TooLarge.code, "message": message}, status=413)
        return HttpResponse(render_to_string("413.html", {"message": message}), status=413)


class RequestSizeLimitMiddleware:
    """Refuse a body larger than REQUEST_BODY_MAX_BYTES from its Content-Length
    header alone, before anything reads it: before this, a 300 MB upload to
    any page was written to a temporary file in full and only then refused.

    It sits before every middleware that may read the body (sessions, CSRF,
    the views), after the ones that only add headers, so the 413 carries them.

    A body sent without Content-Length (chunked) is not read by Django under
    WSGI at all; BodyLimitUploadHandler still counts every uploaded byte, so no
    path writes more than the limit. Each request also gets the parser that
    reports file parts Django drops (`upload_dropped_names`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _declared_length(request) > settings.REQUEST_BODY_MAX_BYTES:
            logger.warning(
                "Refused a %s-byte body to %s before reading it.", request.META.get("CONTENT_LENGTH"), request.path
            )
            return too_large_response(request)
        request.upload_dropped_names = []
        request.parse_file_upload = MethodType(_parse_file_upload, request)
        return self.get_response(request)


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class BodyLimitUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: counts the bytes of every file of one
    request and stops the upload once they pass REQUEST_BODY_MAX_BYTES, before
    the chunk that crosses it reaches the handlers that keep files."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.REQUEST_BODY_MAX_BYTES:
            raise RequestBodyTooLarge("Request body larger than REQUEST_BODY_MAX_BYTES.")

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.REQUEST_BODY_MAX_BYTES:
            raise RequestBodyTooLarge("Uploaded files larger than REQUEST_BODY_MAX_BYTES.")
        return raw_data

    def file_complete(self, file_size):
        return None


class _ReportingMultiPartParser(MultiPartParser):
    """Django's parser, noting the file parts it drops because their name is
    unusable (`..`, `.`, or nothing once the path is removed), so the form can
    say so instead of losing the file silently. A part with no name at all is
    an empty file input (nothing chosen), not a dropped file."""

    def __init__(self, *args, dropped, **kwargs):
        super().__init__(*args, **kwargs)
        self.dropped = dropped

    def sanitize_file_name(self, file_name):
        cleaned = super().sanitize_file_name(file_name)
        if cleaned is None:
            self.dropped.append(str(file_name))
        return cleaned


def _parse_file_upload(request, META, post_data):
    """HttpRequest.parse_file_upload, with the reporting parser."""
    from django.utils.datastructures import ImmutableList

    request.upload_handlers = ImmutableList(
        request.upload_handlers,
        warning="You cannot alter upload handlers after the upload has been processed.",
    )
    parser = _ReportingMultiPartParser(
        META, post_data, request.upload_handlers, request.encoding, dropped=request.upload_dropped_names
    )
    return parser.parse()
