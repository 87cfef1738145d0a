"""Background tasks of the roadmap context (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def measure_guardrails() -> dict[str, int]:
    """Measure the guardrails of all active initiatives (as the system; see ``services.guardrails_measure``)."""
    from kampass.roadmap.services import guardrails_measure

    result = guardrails_measure(actor=None)
    return {"measured": result.measured, "warnings": result.warnings, "skipped": len(result.skipped)}
