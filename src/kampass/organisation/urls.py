from django.urls import path

from kampass.organisation import views, views_people_admin

urlpatterns = [
    path("", views.overview, name="organisation-overview"),
    path("raci/", views.raci, name="organisation-raci"),
    path("raci/<int:activity_id>/<int:role_id>/", views.raci_cell, name="organisation-raci-cell"),
    path("workload/", views.workload, name="organisation-workload"),
    path("people/", views.people, name="organisation-people"),
    path("people/targets/", views.targets, name="organisation-targets"),
    path("people/<int:user_id>/", views.profile_detail, name="organisation-profile"),
    path("people/<int:user_id>/edit/", views.profile_edit, name="organisation-profile-edit"),
    path("users/", views_people_admin.user_list, name="organisation-users"),
    path("users/new/", views_people_admin.user_create, name="organisation-user-create"),
    path("users/<int:pk>/edit/", views_people_admin.user_edit, name="organisation-user-edit"),
    path("users/<int:pk>/invitation/", views_people_admin.user_invite, name="organisation-user-invite"),
    path("units/", views_people_admin.unit_list, name="organisation-units"),
    path("units/new/", views_people_admin.unit_create, name="organisation-unit-create"),
    path("units/<int:pk>/edit/", views_people_admin.unit_edit, name="organisation-unit-edit"),
    path("invitation/<str:uidb64>/<str:token>/", views_people_admin.invitation_accept, name="invitation-accept"),
    path("actions/", views.action_list, name="organisation-actions"),
    path("actions/new/", views.action_create, name="organisation-action-create"),
    path("actions/<int:pk>/edit/", views.action_edit, name="organisation-action-edit"),
    path("actions/<int:pk>/delete/", views.action_delete, name="organisation-action-delete"),
    path("activities/", views.catalogue_list, {"kind": "activities"}, name="organisation-activities"),
    path("activities/new/", views.catalogue_create, {"kind": "activities"}, name="organisation-activity-create"),
    path("activities/<int:pk>/edit/", views.catalogue_edit, {"kind": "activities"}, name="organisation-activity-edit"),
    path(
        "activities/<int:pk>/delete/",
        views.catalogue_delete,
        {"kind": "activities"},
        name="organisation-activity-delete",
    ),
    path("roles/", views.catalogue_list, {"kind": "roles"}, name="organisation-roles"),
    path("roles/new/", views.catalogue_create, {"kind": "roles"}, name="organisation-role-create"),
    path("roles/<int:pk>/edit/", views.catalogue_edit, {"kind": "roles"}, name="organisation-role-edit"),
    path("roles/<int:pk>/delete/", views.catalogue_delete, {"kind": "roles"}, name="organisation-role-delete"),
    path("competences/", views.catalogue_list, {"kind": "competences"}, name="organisation-competences"),
    path("competences/new/", views.catalogue_create, {"kind": "competences"}, name="organisation-competence-create"),
    path(
        "competences/<int:pk>/edit/", views.catalogue_edit, {"kind": "competences"}, name="organisation-competence-edit"
    ),
    path(
        "competences/<int:pk>/delete/",
        views.catalogue_delete,
        {"kind": "competences"},
        name="organisation-competence-delete",
    ),
]
