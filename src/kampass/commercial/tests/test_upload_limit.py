"""An upload over KAMPASS_IMPORT_MAX_FILE_MB is refused while it is received, before Django keeps it in
memory or writes it to disk (issue 11): through the API and the import form, with the message naming
the limit, the setting and the size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files import uploadhandler
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kampass.commercial.models import ImportJob
from kampass.commercial.services import upload_dir
from kampass.commercial.tests.conftest import ONLINE_RETAIL_GOOD, ONLINE_RETAIL_HEADER


@pytest.fixture
def kept(settings, monkeypatch) -> dict[str, int]:
    """What Django's own upload handlers (memory, then a temporary file in the uploads directory) were given."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload would go to a temporary file ...
    settings.FILE_UPLOAD_TEMP_DIR = str(upload_dir())  # ... in the uploads directory
    seen = {"files": 0, "bytes": 0}
    for handler in (uploadhandler.MemoryFileUploadHandler, uploadhandler.TemporaryFileUploadHandler):
        new_file, receive = handler.new_file, handler.receive_data_chunk

        def counting_new_file(self, *args: Any, _new_file=new_file, **kwargs: Any) -> Any:
            result = _new_file(self, *args, **kwargs)
            seen["files"] += isinstance(self, uploadhandler.TemporaryFileUploadHandler)
            return result

        def counting_receive(self, raw_data: bytes, start: int, _receive=receive) -> Any:
            result = _receive(self, raw_data, start)
            if result is None:  # kept by this handler
                seen["bytes"] += len(raw_data)
            return result

        monkeypatch.setattr(handler, "new_file", counting_new_file)
        monkeypatch.setattr(handler, "receive_data_chunk", counting_receive)
    return seen


def csv_of(size: int) -> bytes:
    """A transactions file of at least ``size`` bytes."""
    body = (ONLINE_RETAIL_HEADER + "\n").encode()
    line = (ONLINE_RETAIL_GOOD[0] + "\n").encode()
    return body + line * (size // len(line) + 1)


def files_in_uploads() -> list[Path]:
    return [p for p in upload_dir().rglob("*") if p.is_file()]


def test_the_api_refuses_a_far_too_large_upload_from_its_content_length(api, head, settings, kept):
    # given a limit of 1 KB and a 2 MB file
    settings.KAMPASS_IMPORT_MAX_FILE_MB = 1 / 1024
    # when it is uploaded
    response = api(head, "post", "/imports", form={"file": SimpleUploadedFile("big.csv", csv_of(2 << 20))})
    # then it is refused with the limit's message, and not a byte of it was kept
    assert response.status_code == 422
    message = response.json()["detail"][0]
    assert message["loc"] == ["file"]
    assert message["msg"].startswith("big.csv is 2.0\xa0MB; the limit for an import file is 1.0\xa0KB")
    assert "(KAMPASS_IMPORT_MAX_FILE_MB)" in message["msg"]
    assert kept == {"files": 0, "bytes": 0}
    assert files_in_uploads() == []
    assert not ImportJob.objects.exists()


def test_the_api_stops_receiving_a_file_just_over_the_limit(api, head, settings, kept):
    # given a limit of 64 KB and a file a little larger (its request is within the allowance for other fields)
    settings.KAMPASS_IMPORT_MAX_FILE_MB = 64 / 1024
    data = csv_of((64 << 10) + 1)[: (64 << 10) + 1]
    # when
    response = api(head, "post", "/imports", form={"file": SimpleUploadedFile("edge.csv", data)})
    # then: refused, naming limit and setting; the storing handlers got no more than the limit
    assert response.status_code == 422
    text = response.json()["detail"][0]["msg"]
    assert text.startswith("edge.csv is 64.")
    assert "the limit for an import file is 64.0\xa0KB (KAMPASS_IMPORT_MAX_FILE_MB)" in text
    assert kept["bytes"] <= 64 << 10
    assert files_in_uploads() == []
    assert not ImportJob.objects.exists()


def test_a_file_at_the_limit_is_taken(api, head, settings, kept):
    settings.KAMPASS_IMPORT_MAX_FILE_MB = 64 / 1024
    data = csv_of(60 << 10)
    assert len(data) <= 64 << 10
    response = api(head, "post", "/imports", form={"file": SimpleUploadedFile("fine.csv", data)})
    assert response.status_code == 202
    assert kept["bytes"] == len(data)


def test_the_form_refuses_a_file_over_the_limit_in_german_while_receiving_it(client, head, settings, kept):
    # given a German user, a limit of 64 KB and files just over it and far over it
    settings.KAMPASS_IMPORT_MAX_FILE_MB = 64 / 1024
    head.language = "de"
    head.save()
    client.force_login(head)
    for size in ((64 << 10) + 1, 4 << 20):
        data = csv_of(size)[:size]
        # when
        response = client.post(
            reverse("import-list"),
            {"file": SimpleUploadedFile("umsatz.csv", data), "mapping": "online-retail", "link_mode": "none"},
        )
        # then the form says why, in German, and the file was not kept
        assert response.status_code == 422
        body = response.content.decode()
        assert "umsatz.csv ist" in body
        assert " groß; die Grenze" in body
        assert "die Grenze für eine Importdatei ist 64,0\xa0KB (KAMPASS_IMPORT_MAX_FILE_MB)" in body
        assert kept["bytes"] <= 64 << 10
    assert kept["files"] <= 1  # only the file just over the limit got as far as a temporary file
    assert files_in_uploads() == []
    assert not ImportJob.objects.exists()
