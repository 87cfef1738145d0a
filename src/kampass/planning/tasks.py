"""Background tasks of the planning context (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def raise_review_events() -> dict[str, int]:
    """Plan the reviews that events and cadences call for (``services_reviews.reviews_raise_events``)."""
    from kampass.planning.services_reviews import reviews_raise_events

    return {"planned": len(reviews_raise_events())}
