"""The programme report: one document (JSON) and its PDF rendering.

``report_document`` is what ``kampass programme report --json`` prints and
``GET /api/v1/programme/report`` returns; ``report_pdf`` renders the same content with
WeasyPrint from ``programme/report_pdf.html``, the charts drawn statically by vl-convert.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kampass.core.concept import Catalogue, Guardrail
from kampass.programme.catalogue import active_catalogue
from kampass.programme.models import AssessmentRound, Function
from kampass.programme.selectors import ProgrammeAssessment, perspective_label, programme_assessment

DIGITS = 4


def _num(value: float | None, digits: int = DIGITS) -> float | None:
    return None if value is None else round(float(value), digits)


def threshold_text(guardrail: Guardrail, value: float | None = None) -> str:
    """A threshold (or value) in the guardrail's unit, e.g. ``8 %``, ``3``, ``30 days``, ``1.50``."""
    v = guardrail.threshold if value is None else value
    if guardrail.unit == "share":
        return f"{v * 100:.0f} %" if abs(v * 100 - round(v * 100)) < 1e-9 else f"{v * 100:.1f} %"
    if guardrail.unit == "count":
        return f"{v:.0f}"
    if guardrail.unit == "days":
        days = round(v)
        return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    return f"{v:.2f}"


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
    lang = "de" if lang.lower().startswith("de") else "en"
    catalogue = active_catalogue()
    with translation.override(lang):
        pa = programme_assessment(assessment_round=assessment_round)
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


def report_pdf(*, lang: str = "en", assessment_round: AssessmentRound | None = None) -> bytes:
    """The programme report as PDF in ``lang`` (WeasyPrint; charts as static SVG from vl-convert)."""
    from weasyprint import HTML

    from kampass.programme.charts import maturity_chart, roadmap_chart, tension_chart, to_svg

    lang = "de" if lang.lower().startswith("de") else "en"
    catalogue = active_catalogue()
    doc = report_document(lang=lang, assessment_round=assessment_round)
    with translation.override(lang):
        pa = programme_assessment(assessment_round=assessment_round)
        charts: dict[str, str] = {}
        roadmap = _roadmap_summary()
        if pa is not None:
            groups = {value: str(label) for value, label in Function.choices}
            spec = tension_chart(catalogue, pa.tensions, lang=lang, group_labels=groups, width=430)
            if spec:
                charts["tension"] = to_svg(spec)
            spec = maturity_chart(
                catalogue, {(s.field, s.perspective): s.mean for s in pa.fields}, lang=lang, width=430
            )
            if spec:
                charts["maturity"] = to_svg(spec)
        if roadmap is not None:
            spec = roadmap_chart(roadmap.initiatives, width=460)
            if spec:
                charts["roadmap"] = to_svg(spec)
        warnings = warning_labels()
        timings = timing_labels()
        for t in doc["tension_fields"]:
            t["warning_texts"] = [warnings.get(w, w) for w in t["warnings"]]
        for rec in doc["recommendations"]:
            rec["timing_text"] = timings.get(rec["timing"], rec["timing"])
            rec["combine_names"] = [catalogue.logic(k).name.get(lang) for k in rec["combine_with"]]
            rec["after_names"] = [catalogue.logic(k).name.get(lang) for k in rec["after"]]
        html = render_to_string(
            "programme/report_pdf.html",
            {
                "doc": doc,
                "charts": charts,
                "roadmap": roadmap,
                "generated": timezone.localtime(),
                "LANG": lang,
                "phases": [(p.key, p.name.get(lang)) for p in catalogue.phases],
                "phase_description": catalogue.phase(doc["phase"]).description.get(lang) if doc["phase"] else "",
                "phase_accents": catalogue.phase(doc["phase"]).accents.get(lang) if doc["phase"] else "",
            },
        )
    return bytes(HTML(string=html).write_pdf())


def _roadmap_summary() -> Any:
    """The roadmap's summary if that context offers one (guarded: it may not exist yet)."""
    try:
        from kampass.roadmap import facade as roadmap_facade
    except ImportError:
        return None
    fn = getattr(roadmap_facade, "roadmap_summary", None)
    return fn() if fn is not None else None
