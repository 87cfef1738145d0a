"""Background tasks of the roadmap context (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def measure_guardrails(daily: bool = False) -> dict[str, int]:
    """Measure the guardrails of all active initiatives (as the system; see ``services.guardrails_measure``).

    ``daily``: the worker's daily run, which leaves an initiative measured earlier that day alone."""
    from kampass.roadmap.services import guardrails_measure

    result = guardrails_measure(actor=None, once_a_day=daily)
    out = {"measured": result.measured, "warnings": result.warnings, "skipped": len(result.skipped)}
    if daily:
        out["already_measured"] = len(result.already_measured)
    return out


def enqueue_daily_measurement() -> object:
    """The worker's daily job (registered in :mod:`kampass.common.schedule`): enqueue today's reading of
    every active initiative's guardrail, so that a breach is noticed (and the heads of KAM notified) the
    next morning without anybody asking."""
    return measure_guardrails.enqueue(daily=True)
