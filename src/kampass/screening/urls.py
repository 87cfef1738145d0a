from django.urls import path

from kampass.screening import views_segments

urlpatterns: list = [
    path("segments/", views_segments.segments, name="screening-segments"),
    path("segments/compute/", views_segments.segment_run_compute, name="screening-segments-compute"),
    path("segments/runs/<int:pk>/", views_segments.segment_run, name="screening-segment-run"),
]
