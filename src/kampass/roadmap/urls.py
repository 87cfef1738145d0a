from django.urls import path

from kampass.roadmap import views

urlpatterns = [
    path("", views.roadmap, name="roadmap"),
    path("topics/", views.topics, name="topics"),
]
