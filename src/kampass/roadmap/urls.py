from django.urls import path

from kampass.roadmap import views

urlpatterns = [
    path("", views.roadmap, name="roadmap"),
    path("measure/", views.guardrails_measure, name="roadmap-measure"),
    path("initiatives/new/", views.initiative_create, name="roadmap-initiative-create"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="roadmap-initiative"),
    path("initiatives/<int:pk>/edit/", views.initiative_edit, name="roadmap-initiative-edit"),
    path("initiatives/<int:pk>/status/", views.initiative_status, name="roadmap-initiative-status"),
    path("initiatives/<int:pk>/delete/", views.initiative_delete, name="roadmap-initiative-delete"),
    path("initiatives/<int:pk>/measurements/new/", views.measurement_add, name="roadmap-measurement-add"),
    path("topics/", views.topics, name="topics"),
    path("topics/new/", views.topic_create, name="topic-create"),
    path("topics/seed/", views.topics_seed, name="topics-seed"),
    path("topics/limit/", views.topic_limit, name="topic-limit"),
    path("topics/<int:pk>/edit/", views.topic_edit, name="topic-edit"),
    path("topics/<int:pk>/rating/", views.topic_rating, name="topic-rating"),
    path("topics/<int:pk>/status/", views.topic_status, name="topic-status"),
    path("topics/<int:pk>/delete/", views.topic_delete, name="topic-delete"),
]
