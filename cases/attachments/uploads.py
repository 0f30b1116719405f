"""Uploads capped while they stream in, for every page and API view that takes a file (attachments
20 MB, imports 10 MB; DESIGN §11): one upload handler and one 413 error for both."""

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cases.errors import CaseError


class TooLarge(CaseError):
    """An upload over its cap: 413 (Payload Too Large), in the API's error shape."""

    status = 413
    code = "too_large"


def too_large(limit: int) -> TooLarge:
    return TooLarge(_("The file is larger than %(mb)s MB, the most a file may be."), {"mb": megabytes(limit)})


def megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g}"


class CappedUpload(FileUploadHandler):
    """Stops taking a file in once it passes `limit` bytes, so no more of it is parsed or written to a
    temporary file. Put first among the request's handlers before anything reads the body (the CSRF
    check reads it); the view then answers `too_large` when the flag is set. (A service's own chunked
    read is the cap for every other caller.)"""

    limit = 0  # a subclass states its cap, or the caller passes it
    too_large = False

    def __init__(self, request: HttpRequest | None = None, *, limit: int | None = None) -> None:
        super().__init__(request)
        if limit is not None:
            self.limit = limit

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=True)  # the rest of the body is not read
        return raw_data  # on to Django's own handlers

    def file_complete(self, file_size: int) -> None:
        return None


def cap(request: Any, limit: int) -> CappedUpload:
    """Put a CappedUpload first among the (Django) request's upload handlers and return it."""
    handler = CappedUpload(request, limit=limit)
    request.upload_handlers.insert(0, handler)
    return handler
