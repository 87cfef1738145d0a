from django.urls import path

from kampass.solutions import views

urlpatterns = [
    path("", views.library, name="solution-library"),
    path("new/", views.solution_create, name="solution-create"),
    path("<int:pk>/", views.solution_detail, name="solution"),
    path("<int:pk>/edit/", views.solution_edit, name="solution-edit"),
    path("<int:pk>/retire/", views.solution_retire, name="solution-retire"),
    path("<int:pk>/delete/", views.solution_delete, name="solution-delete"),
    path("<int:pk>/uses/", views.use_link, name="solution-use-link"),
    path("<int:pk>/uses/<int:use_pk>/unlink/", views.use_unlink, name="solution-use-unlink"),
    path("opportunities/<int:pk>/", views.opportunity_solutions, name="opportunity-solutions"),
    path("initiatives/", views.board, name="initiative-board"),
    path("initiatives/new/", views.initiative_create, name="co-creation-initiative-create"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="co-creation-initiative"),
    path("initiatives/<int:pk>/edit/", views.initiative_edit, name="co-creation-initiative-edit"),
    path("initiatives/<int:pk>/move/", views.initiative_move, name="co-creation-initiative-move"),
    path("initiatives/<int:pk>/delete/", views.initiative_delete, name="co-creation-initiative-delete"),
]
