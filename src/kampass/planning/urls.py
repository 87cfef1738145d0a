from django.urls import include, path

urlpatterns: list = [
    path("", include("kampass.planning.urls_objectives")),
    path("", include("kampass.planning.urls_reviews")),
]
