"""URLs of the planning context (each part includes its own module)."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("kampass.planning.urls_health")),
    path("", include("kampass.planning.urls_objectives")),
    path("", include("kampass.planning.urls_reviews")),
]
