from django.urls import include, path

urlpatterns = [
    path("", include("kampass.planning.urls_export")),
]
