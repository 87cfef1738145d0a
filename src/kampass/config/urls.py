from django.contrib import admin
from django.urls import include, path

from kampass.config import my_work, views
from kampass.config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", views.dashboard, name="dashboard"),
    path("start/", views.start, name="start"),
    path("my-work/", my_work.my_work_page, name="my-work"),
    path("", include("kampass.common.urls")),
    path("accounts/", include("kampass.accounts.urls")),
    path("", include("kampass.commercial.urls")),
    path("", include("kampass.pipeline.urls")),
    path("plans/", include("kampass.planning.urls")),
    path("programme/roadmap/", include("kampass.roadmap.urls")),
    path("programme/", include("kampass.programme.urls")),
    path("organisation/", include("kampass.organisation.urls")),
    path("solutions/", include("kampass.solutions.urls")),
    path("screening/", include("kampass.screening.urls")),
    path("", include("kampass.planning.urls_health")),
    path("api/v1/", api.urls),
]

handler403 = "kampass.common.views.permission_denied"
handler404 = "kampass.common.views.not_found"
