"""URLs of the plan actions, the health score and the scorecard."""

from django.urls import path

from kampass.planning import views_actions, views_health, views_kpi_targets

urlpatterns = [
    path("plans/actions/", views_actions.my_actions, name="my-actions"),
    path("plans/<int:plan_pk>/actions/", views_actions.plan_actions, name="plan-actions"),
    path("plans/<int:plan_pk>/actions/new/", views_actions.action_create, name="action-create"),
    path("plans/actions/<int:pk>/edit/", views_actions.action_edit, name="action-edit"),
    path("plans/actions/<int:pk>/delete/", views_actions.action_delete, name="action-delete"),
    path("scorecard/", views_health.scorecard_page, name="scorecard"),
    path("scorecard/recompute/", views_health.scorecard_recompute, name="scorecard-recompute"),
    path("scorecard/runs/<uuid:pk>/", views_health.scorecard_run, name="scorecard-run"),
    path("scorecard/weights/", views_health.health_weights_page, name="health-weights"),
    path("scorecard/accounts/<int:account_pk>/", views_health.account_health_page, name="account-health"),
    path("scorecard/kpis/", views_kpi_targets.kpi_matrix_page, name="kpi-matrix"),
    path("scorecard/kpi-targets/", views_kpi_targets.kpi_targets_page, name="kpi-targets"),
    path("scorecard/kpi-targets/<int:pk>/delete/", views_kpi_targets.kpi_target_delete, name="kpi-target-delete"),
    path("notices/<int:pk>/read/", views_health.notice_read, name="notice-read"),
]
