from django.urls import path

from kampass.planning import views_objectives as views

urlpatterns = [
    path("<int:plan_id>/objectives/", views.plan_objectives, name="plan-objectives"),
    path("<int:plan_id>/objectives/new/", views.objective_create, name="objective-create"),
    path("objectives/<int:pk>/edit/", views.objective_edit, name="objective-edit"),
    path("objectives/<int:pk>/delete/", views.objective_delete, name="objective-delete"),
    path("kpis/<int:account_id>/", views.account_kpi_page, name="account-kpis"),
    path("kpis/<int:account_id>/record/", views.kpi_value_record, name="kpi-value-record"),
]
