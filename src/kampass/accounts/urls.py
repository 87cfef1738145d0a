from django.urls import path

from kampass.accounts import views

urlpatterns = [
    path("", views.account_list, name="account-list"),
    path("new/", views.account_create, name="account-create"),
    path("lookup/", views.account_lookup, name="account-lookup"),
    path("<int:pk>/", views.account_detail, name="account-detail"),
    path("<int:pk>/activity/", views.account_activity, name="account-activity"),
    path("<int:pk>/edit/", views.account_edit, name="account-edit"),
    path("<int:pk>/status/", views.account_status, name="account-status"),
    path("<int:pk>/delete/", views.account_delete, name="account-delete"),
    path("<int:pk>/contacts/new/", views.contact_add, name="account-contact-add"),
    path("<int:pk>/positions/new/", views.position_add, name="account-position-add"),
    path("<int:pk>/people/<int:contact_id>/", views.member_edit, name="account-member-edit"),
    path("<int:pk>/people/<int:contact_id>/remove/", views.position_remove, name="account-position-remove"),
    path("<int:pk>/team/new/", views.team_add, name="account-team-add"),
    path("<int:pk>/team/<int:member_id>/remove/", views.team_remove, name="account-team-remove"),
    path("<int:pk>/coverage/new/", views.coverage_add, name="account-coverage-add"),
    path("<int:pk>/coverage/<int:coverage_id>/remove/", views.coverage_remove, name="account-coverage-remove"),
    path("contacts/", views.contact_list, name="contact-list"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact-detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact-delete"),
]
