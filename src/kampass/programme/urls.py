from django.urls import path

from kampass.programme import views

urlpatterns = [
    path("", views.dashboard, name="programme-dashboard"),
]
