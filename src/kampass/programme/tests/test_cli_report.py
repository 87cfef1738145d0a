"""``kampass programme report``: the JSON contract, both languages, figures equal to an independent
computation from the stored answers, and the PDF."""

from __future__ import annotations

import json
import shutil
import subprocess
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kampass.programme.models import RoundStatus
from kampass.programme.tests.conftest import (
    closed_round,
    independent_field_scores,
    independent_tension_means,
    make_round,
)

FIELD_KEYS = {"field", "perspective", "mean", "spread", "answers"}
TENSION_KEYS = {"key", "left", "right", "current", "target"}
REC_KEYS = {"logic", "rank", "reasons", "dangers", "guardrail"}


def report(*args: str) -> Any:
    out = StringIO()
    call_command("programme", "report", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def round_(head, catalogue):
    return closed_round(head, catalogue, respondents=6, seed=5)


def test_json_contract(round_, catalogue):
    doc = report("--json")
    assert {"phase", "fields", "tension_fields", "recommendations"} <= set(doc)
    assert doc["phase"] in [p.key for p in catalogue.phases]
    assert len(doc["fields"]) == 12
    assert all(set(f) >= FIELD_KEYS for f in doc["fields"])
    assert len(doc["tension_fields"]) == 9
    assert all(set(t) >= TENSION_KEYS for t in doc["tension_fields"])
    assert doc["recommendations"]
    for rec in doc["recommendations"]:
        assert set(rec) >= REC_KEYS
        assert isinstance(rec["reasons"], list)
        assert all(isinstance(x, str) for x in rec["reasons"])
        assert isinstance(rec["dangers"], list)
        assert all(isinstance(x, str) and x for x in rec["dangers"])
        assert isinstance(rec["guardrail"], str)
    assert [r["rank"] for r in doc["recommendations"]] == list(range(1, len(doc["recommendations"]) + 1))


def test_figures_equal_an_independent_computation(round_, catalogue):
    doc = report("--json", "--round", str(round_.pk))
    expected = independent_field_scores(round_, catalogue)
    for f in doc["fields"]:
        exp = expected[(f["field"], f["perspective"])]
        assert f["mean"] == pytest.approx(exp["mean"], abs=1e-4)
        assert f["spread"] == pytest.approx(exp["spread"], abs=1e-4)
        assert f["answers"] == exp["answers"]
    means = independent_tension_means(round_)
    for t in doc["tension_fields"]:
        assert (t["current"], t["target"]) == pytest.approx(means[t["key"]], abs=1e-4)


def test_languages_differ_in_texts_but_not_in_figures(round_, catalogue):
    en, de = report("--json", "--lang", "en"), report("--json", "--lang", "de")
    assert [(f["mean"], f["answers"]) for f in en["fields"]] == [(f["mean"], f["answers"]) for f in de["fields"]]
    assert en["phase"] == de["phase"]
    tf = catalogue.tension_fields[0]
    assert en["tension_fields"][0]["left"] == tf.left.en
    assert de["tension_fields"][0]["left"] == tf.left.de
    assert en["tension_fields"][0]["left"] != de["tension_fields"][0]["left"]
    for rec_en, rec_de in zip(en["recommendations"], de["recommendations"], strict=True):
        assert rec_en["logic"] == rec_de["logic"]
        logic = catalogue.logic(rec_en["logic"])
        assert rec_en["dangers"] == [logic.dangers.en]
        assert rec_de["dangers"] == [logic.dangers.de]
        assert logic.guardrail.name.en in rec_en["guardrail"]
        assert logic.guardrail.name.de in rec_de["guardrail"]
    assert en["recommendations"][0]["guardrail"] != de["recommendations"][0]["guardrail"]


def test_guardrail_names_metric_and_threshold(round_, catalogue):
    doc = report("--json")
    leak = next((r for r in doc["recommendations"] if r["logic"] == "commercialisation"), None)
    assert leak is not None
    threshold = catalogue.logic("commercialisation").guardrail.threshold
    assert f"{threshold * 100:.0f}%" in leak["guardrail"]


def test_a_share_threshold_is_written_as_the_reader_writes_per_cent(catalogue):
    # given the guardrail of commercialisation (a share) and a measured value
    from django.utils import translation

    from kampass.programme.report import threshold_text

    guardrail = catalogue.logic("commercialisation").guardrail

    # when / then: a decimal comma and a space before the sign in German, neither in English
    with translation.override("de"):
        assert threshold_text(guardrail, 0.061) == "6,1\u00a0%"
    with translation.override("en"):
        assert threshold_text(guardrail, 0.061) == "6.1%"


def test_without_a_closed_round_the_lists_are_empty(db):
    doc = report("--json")
    assert doc["phase"] is None
    assert doc["fields"] == []
    assert doc["tension_fields"] == []
    assert doc["recommendations"] == []


def test_an_open_or_unknown_round_is_refused(head):
    r = make_round(head)
    assert r.status == RoundStatus.DRAFT
    with pytest.raises(CommandError, match="only a closed round"):
        report("--json", "--round", str(r.pk))
    with pytest.raises(CommandError, match="No assessment round"):
        report("--json", "--round", "999999")


def test_pdf_report(round_, tmp_path, catalogue):
    target = tmp_path / "report.pdf"
    out = StringIO()
    call_command("programme", "report", "--pdf", str(target), "--lang", "de", stdout=out)
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(data) > 20_000  # charts and tables, not an empty page
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
        pages = int(next(ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages:")))
        assert pages >= 2
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
        assert "KAM-Programmbericht" in text
        assert catalogue.field("screening").name.de in text
        assert catalogue.tension_fields[0].left.de.split()[0] in text
