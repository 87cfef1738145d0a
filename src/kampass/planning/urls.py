"""URLs of the planning context (each part includes its own module)."""

from django.urls import include, path

from kampass.planning import views, views_solutions, views_templates

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("new/", views.plan_create, name="plan-create"),
    path("templates/", views_templates.template_list, name="plan-templates"),
    path("templates/new/", views_templates.template_edit, name="plan-template-create"),
    path("templates/<int:pk>/", views_templates.template_edit, name="plan-template-edit"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/sections/<slug:key>/", views.section_save, name="plan-section"),
    path("<int:pk>/transition/", views.plan_transition, name="plan-transition"),
    path("<int:pk>/new-version/", views.plan_new_version, name="plan-new-version"),
    path("<int:pk>/adopt-template/", views.plan_adopt_template, name="plan-adopt-template"),
    path("<int:pk>/relationship/", views.relationship_save, name="plan-relationship"),
    path("<int:pk>/comments/", views.comment_add, name="plan-comment"),
    path("<int:pk>/swot/", views.swot_add, name="plan-swot-add"),
    path("<int:pk>/swot/<int:item_pk>/", views.swot_edit, name="plan-swot-edit"),
    path("<int:pk>/swot/<int:item_pk>/remove/", views.swot_remove, name="plan-swot-remove"),
    path("<int:pk>/swot/<int:item_pk>/move/", views.swot_move, name="plan-swot-move"),
    path("<int:pk>/compare/", views.plan_compare, name="plan-compare"),
    path("<int:pk>/solutions/", views_solutions.plan_solutions, name="plan-solutions"),
    path("", include("kampass.planning.urls_export")),
    path("", include("kampass.planning.urls_objectives")),
    path("", include("kampass.planning.urls_reviews")),
]
