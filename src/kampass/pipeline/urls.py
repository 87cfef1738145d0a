from django.urls import path

from kampass.pipeline import views

urlpatterns = [
    path("pipeline/", views.board, name="pipeline-board"),
    path("forecast/", views.forecast, name="forecast"),
    path("accounts/<int:pk>/opportunities/", views.account_opportunities, name="account-opportunities"),
]
