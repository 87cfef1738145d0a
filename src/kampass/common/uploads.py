"""The size limit of uploaded files, enforced while Django receives them (issue 11).

Every uploaded file is an import file or its mapping (the import form and ``POST /api/v1/imports``), so
:class:`LimitedUploadHandler` runs first for every upload (``FILE_UPLOAD_HANDLERS``). It refuses a file
over ``KAMPASS_IMPORT_MAX_FILE_MB`` before Django writes it anywhere: at once when the request's
``Content-Length`` already proves it, else as soon as the bytes received pass the limit. The file is then
skipped (the rest of its bytes are read and dropped, the other fields of the form still arrive) and the
refusal is kept on the request for the form and the API to report (:func:`upload_refusal`) in the
user's language, with the same message as every other limit.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from kampass.common.filemodes import open_private
from kampass.common.import_limits import import_limits
from kampass.core.analytics.ingest.limits import LimitExceeded

FIELDS_ALLOWANCE = (1 << 20) + (64 << 10)
"""What a request may hold besides the import file: a mapping file (at most 1 MB) and the form's fields.
A ``Content-Length`` over the limit plus this proves that the import file is over the limit."""

_REFUSAL = "kampass_upload_refusal"


def upload_refusal(request: HttpRequest) -> LimitExceeded | None:
    """The refusal of an uploaded file over the size limit in this request, if any."""
    refusal: LimitExceeded | None = getattr(request, _REFUSAL, None)
    return refusal


class LimitedUploadHandler(FileUploadHandler):
    """Stop receiving an uploaded file as soon as it is known to be over ``KAMPASS_IMPORT_MAX_FILE_MB``."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = import_limits().max_file_bytes
        self.request_size = 0
        self.too_large = False
        self.received = 0

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: str | None = None
    ) -> None:
        self.request_size = int(content_length or 0)
        self.too_large = self.limit is not None and self.request_size > self.limit + FIELDS_ALLOWANCE

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0
        if self.too_large:  # the Content-Length proves it: not a byte of the file is kept
            self._refuse(self.request_size)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.limit is not None and self.received > self.limit:
            self._refuse(max(self.received, self.request_size))  # the size of the upload as sent
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers build the file

    def _refuse(self, size: int) -> None:
        assert self.limit is not None
        if self.request is not None and upload_refusal(self.request) is None:
            refusal = LimitExceeded(file=self.file_name or "", limit="max_file_bytes", allowed=self.limit, actual=size)
            setattr(self.request, _REFUSAL, refusal)
        raise SkipFile


def keep_upload(source: Any, directory: Path, original_name: str) -> Path:
    """Copy an uploaded file (a path, or an uploaded file with ``chunks()``) into ``directory`` (private to
    kampass) under a random name that keeps the original's last two suffixes (``.csv.gz``); returns the path."""
    suffix = "".join(Path(original_name or "upload.csv").suffixes[-2:]).lower() or ".csv"
    target = directory / f"{uuid.uuid4().hex}{suffix}"
    if isinstance(source, Path | str):
        with open(source, "rb") as src, open_private(target) as fh:
            shutil.copyfileobj(src, fh)
    else:
        with open_private(target) as fh:
            for chunk in source.chunks():
                fh.write(chunk)
    return target
