from django.urls import path

from kampass.screening import views_selection

urlpatterns: list = []

urlpatterns += [
    path("portfolio/", views_selection.portfolio, name="screening-portfolio"),
    path("portfolio/accounts/<int:account_id>/", views_selection.account_scores, name="screening-portfolio-account"),
    path("criteria/", views_selection.catalogue, name="screening-catalogue"),
    path("rounds/", views_selection.rounds, name="screening-rounds"),
    path("rounds/<int:pk>/", views_selection.round_detail, name="screening-round"),
    path("rounds/<int:pk>/decisions/<int:decision_pk>/", views_selection.decision_record, name="screening-decision"),
    path("rounds/<int:pk>/close/", views_selection.round_close, name="screening-round-close"),
    path("rounds/<int:pk>/export.<str:fmt>", views_selection.round_export, name="screening-round-export"),
]
