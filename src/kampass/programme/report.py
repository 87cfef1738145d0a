"""The programme report: one document (JSON) and its PDF rendering.

``report_document`` is what ``kampass programme report --json`` prints and
``GET /api/v1/programme/report`` returns; ``report_pdf`` renders the same content with
WeasyPrint from ``programme/report_pdf.html``, the charts drawn statically by vl-convert.

``report_inputs`` collects everything the PDF is rendered from (the round's figures, the signals,
the recommendations, the roadmap and its guardrail readings, the language) without rendering
anything; its ``fingerprint`` (with the code version) keys the report cache (``report_cache``).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import decimal
import functools
import hashlib
import json
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kampass.common.guardrails import describe
from kampass.common.i18n import format_percent
from kampass.core.concept import Catalogue, Guardrail
from kampass.programme.catalogue import active_catalogue
from kampass.programme.models import AssessmentRound, Function
from kampass.programme.selectors import ProgrammeAssessment, perspective_label, programme_assessment

DIGITS = 4
# the width (CSS px) of the PDF's text column (A4 less the margins, 182 mm): a chart, its axis labels and
# legends included, must fit into it, or the PDF shrinks it and its texts become unreadable
PDF_TEXT_WIDTH = 680
# the plots' widths, leaving room for the axis labels on their left (tension fields: two lines of up to 240 px)
TENSION_PLOT_WIDTH = 380
MATURITY_PLOT_WIDTH = 480
ROADMAP_PLOT_WIDTH = 480


def _num(value: float | None, digits: int = DIGITS) -> float | None:
    return None if value is None else round(float(value), digits)


def threshold_text(guardrail: Guardrail, value: float | None = None) -> str:
    """A threshold (or value) in the guardrail's unit, e.g. ``8 %``, ``3``, ``30 days``, ``1.50``."""
    v = guardrail.threshold if value is None else value
    if guardrail.unit == "share":  # in the active language: "6,1 %" in German, "6.1%" in English
        return format_percent(v, 0 if abs(v * 100 - round(v * 100)) < 1e-9 else 1)
    if guardrail.unit == "count":
        return number_format(v, 0)
    if guardrail.unit == "days":
        days = round(v)
        return ngettext("%(n)s day", "%(n)s days", days) % {"n": number_format(days, 0)}
    return number_format(v, 2)


def guardrail_text(guardrail: Guardrail, lang: str) -> str:
    """The guardrail as a sentence naming the metric and its threshold (in ``lang``)."""
    with translation.override(lang):
        sign = "≤" if guardrail.direction == "max" else "≥"
        return _("%(metric)s %(sign)s %(threshold)s (warn when %(direction)s)") % {
            "metric": guardrail.name.get(lang),
            "sign": sign,
            "threshold": threshold_text(guardrail),
            "direction": _("above") if guardrail.direction == "max" else _("below"),
        }


def _recommendations(catalogue: Catalogue, pa: ProgrammeAssessment, lang: str) -> list[dict[str, Any]]:
    out = []
    for r in pa.recommendations:
        logic = catalogue.logic(r.logic)
        value = pa.signals.get(r.guardrail.key)
        out.append(
            {
                "logic": r.logic,
                "rank": r.rank,
                "reasons": [reason.text.get(lang) for reason in r.reasons],
                "dangers": [r.dangers.get(lang)],
                "guardrail": guardrail_text(r.guardrail, lang),
                "logic_name": logic.name.get(lang),
                "timing": r.timing,
                "combine_with": list(r.combine_with),
                "after": list(r.after),
                "score": _num(r.score),
                "benefits": r.benefits.get(lang),
                "reason_details": [{"rule": x.rule, "inputs": dict(x.inputs)} for x in r.reasons],
                "guardrail_detail": {
                    "key": r.guardrail.key,
                    "name": r.guardrail.name.get(lang),
                    "unit": r.guardrail.unit,
                    "direction": r.guardrail.direction,
                    "threshold": r.guardrail.threshold,
                    "value": value,
                    "warning": r.guardrail.breached(value),
                },
            }
        )
    return out


def report_document(*, lang: str = "en", assessment_round: AssessmentRound | None = None) -> dict[str, Any]:
    """The programme report of ``assessment_round`` (default: the latest closed round) in ``lang``.

    Keys ``phase``, ``fields``, ``tension_fields`` and ``recommendations`` follow the contract of
    issue 5; more keys give the context. Without a closed round the lists are empty and ``phase``
    is the confirmed phase (or ``None``).
    """
    lang = _lang(lang)
    with translation.override(lang):
        pa = programme_assessment(assessment_round=assessment_round)
        return _document(active_catalogue(), pa, lang)


def _lang(lang: str) -> str:
    return "de" if lang.lower().startswith("de") else "en"


def _document(catalogue: Catalogue, pa: ProgrammeAssessment | None, lang: str) -> dict[str, Any]:
    if pa is None:
        from kampass.programme.facade import current_phase

        phase = current_phase()
        return {
            "phase": phase,
            "phase_name": catalogue.phase(phase).name.get(lang) if phase else None,
            "phase_confirmed": phase is not None,
            "lang": lang,
            "round": None,
            "fields": [],
            "tension_fields": [],
            "recommendations": [],
        }
    r = pa.round
    return {
        "phase": pa.phase,
        "phase_name": catalogue.phase(pa.phase).name.get(lang),
        "phase_confirmed": pa.decision is not None,
        "proposed_phase": pa.proposal.phase,
        "phase_reasons": [reason.text.get(lang) for reason in pa.proposal.reasons],
        "lang": lang,
        "round": {
            "id": r.pk,
            "title": r.title,
            "status": r.status,
            "starts": r.starts.isoformat(),
            "closed_at": r.closed_at.isoformat() if r.closed_at else None,
            "respondents": r.respondents.filter(submitted_at__isnull=False).count(),
            "catalogue_version": r.catalogue_version,
        },
        "fields": [
            {
                "field": s.field,
                "perspective": s.perspective,
                "mean": _num(s.mean),
                "spread": _num(s.spread),
                "answers": s.answers,
                "field_name": catalogue.field(s.field).name.get(lang),
                "perspective_name": perspective_label(s.perspective),
                "dont_know": s.dont_know,
                "disagreement": s.disagreement,
            }
            for s in pa.fields
        ],
        "tension_fields": [
            {
                "key": t.key,
                "left": catalogue.tension_field(t.key).left.get(lang),
                "right": catalogue.tension_field(t.key).right.get(lang),
                "current": _num(t.current),
                "target": _num(t.target),
                "number": catalogue.tension_field(t.key).number,
                "warnings": list(t.warnings),
                "by_group": {g: [_num(c), _num(tg)] for g, (c, tg) in sorted(t.by_group.items())},
            }
            for t in pa.tensions
        ],
        "recommendations": _recommendations(catalogue, pa, lang),
        "signals": {k: _num(v) for k, v in sorted(pa.signals.items())},
    }


def warning_labels() -> dict[str, str]:
    return {
        "current_extreme_left": _("now at the left extreme"),
        "current_extreme_right": _("now at the right extreme"),
        "target_extreme_left": _("target at the left extreme"),
        "target_extreme_right": _("target at the right extreme"),
        "disagreement": _("respondents disagree"),
    }


def timing_labels() -> dict[str, str]:
    return {"now": _("now"), "next": _("next"), "later": _("later")}


@dataclasses.dataclass
class ReportInputs:
    """Everything the PDF is rendered from, read once: the assessment (round, figures, signals,
    phase, recommendations), the report document made of it, the roadmap summary and its guardrail
    rows, in ``lang``. Reading them costs queries, never a chart or a PDF."""

    lang: str
    round_id: int | None
    catalogue: Catalogue
    assessment: ProgrammeAssessment | None
    document: dict[str, Any]
    roadmap: Any
    guardrails: list[dict[str, Any]]
    today: dt.date

    @property
    def fingerprint(self) -> str:
        """A digest (SHA-256, hex) of the inputs and the code version: equal digests, equal PDFs.

        The time of rendering printed on the PDF is not an input: a PDF served from the cache
        shows when it was rendered."""
        payload = {
            "code": code_version(self.lang),
            "lang": self.lang,
            "round": self.round_id,
            "document": self.document,
            # the roadmap as the PDF shows it: its guardrail readings as the rows below (a live reading's
            # time is when it was read, not an input), its chart marks today
            "roadmap": _without(self.roadmap, "guardrails"),
            "today": self.today,
            "guardrails": self.guardrails,
            "phases": [(p.key, p.name.get(self.lang), p.description.get(self.lang), p.accents.get(self.lang))
                       for p in self.catalogue.phases],
        }  # fmt: skip
        text = json.dumps(payload, sort_keys=True, default=_plain, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def _without(summary: Any, name: str) -> dict[str, Any] | None:
    """The fields of a dataclass but ``name`` (``None`` stays ``None``)."""
    if summary is None:
        return None
    return {f.name: getattr(summary, f.name) for f in dataclasses.fields(summary) if f.name != name}


def _plain(value: Any) -> Any:
    """JSON for what the inputs hold besides JSON types (dataclasses, dates, decimals, sets)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dt.date | dt.datetime | dt.time | decimal.Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=repr) if isinstance(value, set | frozenset) else list(value)
    if hasattr(value, "_asdict"):
        return value._asdict()
    return repr(value)


#: What the PDF is made with besides the data: the modules, template and translations that render it,
#: and the versions of the libraries that draw the charts and print the PDF.
_CODE_FILES = (
    Path(__file__),
    Path(__file__).with_name("charts.py"),
    Path(__file__).parent / "templates" / "programme" / "report_pdf.html",
)
_LIBRARIES: tuple[str, ...] = ("kampass", "weasyprint", "vl-convert-python", "altair")


@functools.cache
def code_version(lang: str) -> str:
    """A digest of the code that renders the report in ``lang`` (read once per process)."""
    digest = hashlib.sha256()
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=?;".encode())
    package = Path(__file__).parent.parent
    translations = sorted(package.glob(f"**/locale/{lang}/LC_MESSAGES/*.mo"))
    for path in (*_CODE_FILES, *translations):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()


#: the contexts whose stored data the report is made of (directly and through their facades: the
#: assessment, the signals, the roadmap and its guardrail readings, the owners' names)
_INPUT_APPS = ("accounts", "commercial", "organisation", "pipeline", "programme", "roadmap", "users")
#: tables that record work or use, not the report's inputs
_NOT_INPUTS = ("programme.ReportJob", "commercial.ImportJob", "pipeline.TrainingJob", "users.ApiToken")


def report_inputs_stamp(*, lang: str = "en", assessment_round: AssessmentRound | None = None) -> str | None:
    """A cheap digest (SHA-256, hex) of what the report's inputs are made of, without reading them: the
    code version, language, round and day, the stored data of the contexts the report reads (one aggregate
    query per table, ``kampass.common.change_stamps``), the catalogue extension and the analytics store's
    published copy. Equal stamps, equal inputs, so the report cache can map a stamp to the fingerprint
    of the inputs it was read with (``report_cache.remember``).

    ``None`` when no such stamp can be had cheaply (an analytics store without published copies:
    PostgreSQL, Spark; or none published yet): the inputs must then be read to know their fingerprint.
    """
    from django.conf import settings

    from kampass.common.analytics import published_snapshot
    from kampass.common.change_stamps import data_stamp
    from kampass.programme.catalogue import catalogue_stamp
    from kampass.programme.selectors import latest_closed_round

    snapshot = published_snapshot()
    if snapshot is None:
        return None
    lang = _lang(lang)
    r = assessment_round or latest_closed_round()
    payload = {
        "code": code_version(lang),
        "lang": lang,
        "round": r.pk if r is not None else None,
        "today": timezone.localdate().isoformat(),
        "catalogue": catalogue_stamp(),
        "analytics": snapshot,
        "data": data_stamp(_INPUT_APPS, exclude=_NOT_INPUTS),
        # thresholds and limits the signals are computed with (another process may run with others)
        "settings": {name: repr(getattr(settings, name)) for name in dir(settings) if name.startswith("KAMPASS_")},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def report_inputs(*, lang: str = "en", assessment_round: AssessmentRound | None = None) -> ReportInputs:
    """Read what the report of ``assessment_round`` (default: the latest closed round) in ``lang`` is
    rendered from (no chart, no PDF: cheap enough for a web request)."""
    lang = _lang(lang)
    catalogue = active_catalogue()
    with translation.override(lang):
        pa = programme_assessment(assessment_round=assessment_round)
        roadmap = _roadmap_summary()
        return ReportInputs(
            lang=lang,
            round_id=pa.round.pk if pa is not None else None,
            catalogue=catalogue,
            assessment=pa,
            document=_document(catalogue, pa, lang),
            roadmap=roadmap,
            guardrails=_guardrail_rows(catalogue, roadmap, lang),
            today=timezone.localdate(),
        )


def report_charts(
    *, lang: str = "en", assessment_round: AssessmentRound | None = None, inputs: ReportInputs | None = None
) -> dict[str, str]:
    """The report's charts as SVG (vl-convert), sized to the PDF's text column, in ``lang``."""
    from kampass.programme.charts import maturity_chart, roadmap_chart, tension_chart, to_svg

    inputs = inputs or report_inputs(lang=lang, assessment_round=assessment_round)
    lang, catalogue, pa = inputs.lang, inputs.catalogue, inputs.assessment
    charts: dict[str, str] = {}
    with translation.override(lang):
        if pa is not None:
            groups = {value: str(label) for value, label in Function.choices}
            spec = tension_chart(catalogue, pa.tensions, lang=lang, group_labels=groups, width=TENSION_PLOT_WIDTH)
            if spec:
                charts["tension"] = to_svg(spec)
            means = {(s.field, s.perspective): s.mean for s in pa.fields}
            spec = maturity_chart(catalogue, means, lang=lang, width=MATURITY_PLOT_WIDTH)
            if spec:
                charts["maturity"] = to_svg(spec)
        if inputs.roadmap is not None:
            spec = roadmap_chart(inputs.roadmap.initiatives, width=ROADMAP_PLOT_WIDTH)
            if spec:
                charts["roadmap"] = to_svg(spec)
    return charts


#: Called with the share of the rendering done (0..1) while a PDF is rendered.
Progress = Callable[[float], None]


def _no_progress(share: float) -> None:
    return None


def report_html(
    *,
    lang: str = "en",
    assessment_round: AssessmentRound | None = None,
    inputs: ReportInputs | None = None,
    progress: Progress = _no_progress,
) -> str:
    """The HTML the PDF is printed from (``programme/report_pdf.html``) in ``lang``."""
    inputs = inputs or report_inputs(lang=lang, assessment_round=assessment_round)
    lang, catalogue = inputs.lang, inputs.catalogue
    doc = copy.deepcopy(inputs.document)  # a copy: the texts added below are not inputs
    charts = report_charts(inputs=inputs)
    progress(0.6)
    with translation.override(lang):
        warnings = warning_labels()
        timings = timing_labels()
        for t in doc["tension_fields"]:
            t["warning_texts"] = [warnings.get(w, w) for w in t["warnings"]]
        for rec in doc["recommendations"]:
            rec["timing_text"] = timings.get(rec["timing"], rec["timing"])
            rec["combine_names"] = [catalogue.logic(k).name.get(lang) for k in rec["combine_with"]]
            rec["after_names"] = [catalogue.logic(k).name.get(lang) for k in rec["after"]]
        return render_to_string(
            "programme/report_pdf.html",
            {
                "doc": doc,
                "charts": charts,
                "roadmap": inputs.roadmap,
                "guardrails": inputs.guardrails,
                "any_tension_warning": any(t["warnings"] for t in doc["tension_fields"]),
                "generated": timezone.localtime(),
                "LANG": lang,
                "phases": [(p.key, p.name.get(lang)) for p in catalogue.phases],
                "phase_description": catalogue.phase(doc["phase"]).description.get(lang) if doc["phase"] else "",
                "phase_accents": catalogue.phase(doc["phase"]).accents.get(lang) if doc["phase"] else "",
            },
        )


def report_pdf(
    *,
    lang: str = "en",
    assessment_round: AssessmentRound | None = None,
    inputs: ReportInputs | None = None,
    progress: Progress = _no_progress,
) -> bytes:
    """The programme report as PDF in ``lang`` (WeasyPrint; charts as static SVG from vl-convert)."""
    from weasyprint import HTML

    html = report_html(lang=lang, assessment_round=assessment_round, inputs=inputs, progress=progress)
    progress(0.7)
    return bytes(HTML(string=html).write_pdf())


def _guardrail_rows(catalogue: Catalogue, roadmap: Any, lang: str) -> list[dict[str, Any]]:
    """The roadmap's guardrail readings as the report shows them: the metric's name, value and
    threshold in its unit (a share as a percentage) and the warning as a word."""
    if roadmap is None:
        return []
    by_key = {logic.guardrail.key: logic.guardrail for logic in catalogue.logics}
    rows = []
    for g in roadmap.guardrails:
        guardrail = by_key.get(g.key)
        if guardrail is None:
            name, value, threshold = (
                g.key,
                ("–" if g.value is None else number_format(g.value, 3)),
                number_format(g.threshold, 3),
            )
        else:
            name = guardrail.name.get(lang)
            # with what it is (measured live / as stored on), as on the pages
            value = describe(g.reading, guardrail.unit) if g.reading is not None else "–"
            threshold = threshold_text(guardrail, g.threshold)
        rows.append(
            {
                "name": name,
                "value": value,
                "threshold": f"{'≤' if g.direction == 'max' else '≥'} {threshold}",
                "warning": g.warning,
                "status": _("breached") if g.warning else _("kept"),
            }
        )
    return rows


def _roadmap_summary() -> Any:
    """The roadmap's summary if that context offers one (guarded: it may not exist yet)."""
    try:
        from kampass.roadmap import facade as roadmap_facade
    except ImportError:
        return None
    fn = getattr(roadmap_facade, "roadmap_summary", None)
    return fn() if fn is not None else None
