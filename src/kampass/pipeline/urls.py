from django.urls import path

from kampass.pipeline import import_views, target_views, unlinked_views, views

urlpatterns = [
    path("pipeline/", views.board, name="pipeline-board"),
    path("pipeline/opportunities/", views.opportunity_list, name="opportunity-list"),
    path("pipeline/account-choices/", views.account_choices, name="pipeline-account-choices"),
    path("pipeline/opportunities/new/", views.opportunity_create, name="opportunity-create"),
    path("pipeline/opportunities/<int:pk>/", views.opportunity_detail, name="opportunity-detail"),
    path("pipeline/opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity-edit"),
    path("pipeline/opportunities/<int:pk>/delete/", views.opportunity_delete, name="opportunity-delete"),
    path("pipeline/opportunities/<int:pk>/move/", views.opportunity_move, name="opportunity-move"),
    path("pipeline/opportunities/<int:pk>/stage/", views.opportunity_stage, name="opportunity-stage"),
    path(
        "pipeline/opportunities/<int:pk>/qualification/<str:element>/",
        views.qualification_edit,
        name="opportunity-qualification",
    ),
    path("pipeline/opportunities/<int:pk>/contacts/add/", views.contact_add, name="opportunity-contact-add"),
    path(
        "pipeline/opportunities/<int:pk>/contacts/<int:link_id>/remove/",
        views.contact_remove,
        name="opportunity-contact-remove",
    ),
    path("pipeline/opportunities/<int:pk>/risks/new/", views.risk_create, name="opportunity-risk-create"),
    path("pipeline/opportunities/<int:pk>/risks/<int:risk_id>/", views.risk_edit, name="opportunity-risk-edit"),
    path(
        "pipeline/opportunities/<int:pk>/risks/<int:risk_id>/delete/",
        views.risk_delete,
        name="opportunity-risk-delete",
    ),
    path("pipeline/model/", views.model_report, name="model-report"),
    path("pipeline/model/retrain/", views.model_retrain, name="model-retrain"),
    path("pipeline/model/jobs/<uuid:pk>/", views.training_job, name="training-job"),
    path("pipeline/model/backtest/", views.model_backtest, name="model-backtest"),
    path("pipeline/model/backtests/<uuid:pk>/", views.backtest_run, name="backtest-run"),
    path("forecast/", views.forecast, name="forecast"),
    path("accounts/<int:pk>/opportunities/", views.account_opportunities, name="account-opportunities"),
]

urlpatterns += [
    path("pipeline/targets/", target_views.target_list_page, name="target-list"),
    path("pipeline/targets/import/", import_views.target_import, name="target-import"),
    path("pipeline/imports/", import_views.pipeline_imports, name="pipeline-imports"),
    path("pipeline/imports/opportunities/", import_views.opportunity_import, name="opportunity-import"),
    path(
        "pipeline/imports/opportunities/<uuid:pk>/columns/",
        import_views.opportunity_import_map,
        name="opportunity-import-map",
    ),
    path("pipeline/imports/<uuid:pk>/", import_views.pipeline_import, name="pipeline-import"),
    path("pipeline/imports/<uuid:pk>/import-now/", import_views.opportunity_import_now, name="opportunity-import-now"),
    path("pipeline/targets/new/", target_views.target_create, name="target-create"),
    path("pipeline/targets/<int:pk>/", target_views.target_edit, name="target-edit"),
    path("pipeline/targets/<int:pk>/delete/", target_views.target_delete, name="target-delete"),
]

urlpatterns += [
    path("pipeline/without-account/", unlinked_views.unlinked_list, name="unlinked-list"),
    path("pipeline/without-account/link/", unlinked_views.unlinked_link_view, name="unlinked-link"),
    path("pipeline/without-account/convert/", unlinked_views.unlinked_convert_view, name="unlinked-convert"),
    path("pipeline/without-account/<int:pk>/accept/", unlinked_views.unlinked_accept, name="unlinked-accept"),
]
