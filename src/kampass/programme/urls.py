from django.urls import path

from kampass.programme import views

urlpatterns = [
    path("", views.dashboard, name="programme-dashboard"),
    path("concept/", views.concept, name="programme-concept"),
    path("rounds/", views.round_list, name="programme-rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="programme-round"),
    path("rounds/<int:pk>/results/", views.results, name="programme-results"),
    path("rounds/<int:pk>/<str:action>/", views.round_action, name="programme-round-action"),
    path("respondents/<int:pk>/<str:action>/", views.respondent_action, name="programme-respondent-action"),
    path("questionnaire/<int:pk>/", views.questionnaire, name="programme-questionnaire"),
    path("questionnaire/<int:pk>/answer/", views.answer, name="programme-answer"),
    path("questionnaire/<int:pk>/placement/", views.placement, name="programme-placement"),
    path("questionnaire/<int:pk>/submit/", views.submit, name="programme-submit"),
    path("invitation/<str:token>/", views.questionnaire, name="programme-invitation"),
    path("invitation/<str:token>/answer/", views.answer, name="programme-invitation-answer"),
    path("invitation/<str:token>/placement/", views.placement, name="programme-invitation-placement"),
    path("invitation/<str:token>/submit/", views.submit, name="programme-invitation-submit"),
    path("recommendations/", views.recommendations, name="programme-recommendations"),
    path("report/", views.report_create, name="programme-report-create"),
    path("report/<uuid:pk>/", views.report_status, name="programme-report"),
    path("report/<uuid:pk>/pdf/", views.report_download, name="programme-report-download"),
]
