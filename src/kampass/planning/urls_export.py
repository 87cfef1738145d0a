"""The export downloads of a plan version (included by ``planning/urls.py`` under ``plans/``)."""

from django.urls import path

from kampass.planning import views_export

urlpatterns = [
    path("<int:pk>/export/<slug:fmt>/", views_export.plan_export, name="plan-export"),
]
