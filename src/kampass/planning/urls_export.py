"""The export downloads of a plan version (included by ``planning/urls.py`` under ``plans/``)."""

from django.urls import path

from kampass.planning import views_export

urlpatterns = [
    path("<int:pk>/export/<slug:fmt>/", views_export.plan_export, name="plan-export"),
    path("<int:pk>/export/<slug:fmt>/start/", views_export.plan_export_start, name="plan-export-start"),
    path("exports/<uuid:job_id>/", views_export.plan_export_job, name="plan-export-job"),
    path("exports/<uuid:job_id>/file/", views_export.plan_export_download, name="plan-export-download"),
]
