from django.urls import path

from kampass.organisation import views

urlpatterns = [
    path("", views.overview, name="organisation-overview"),
]
