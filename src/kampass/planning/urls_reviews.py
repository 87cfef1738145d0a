from django.urls import path

from kampass.planning import views_reviews as views

urlpatterns = [
    path("reviews/", views.review_list, name="review-list"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path("reviews/<int:pk>/edit/", views.review_edit, name="review-edit"),
    path("reviews/<int:pk>/hold/", views.review_hold, name="review-hold"),
    path("reviews/<int:pk>/cancel/", views.review_cancel, name="review-cancel"),
    path("reviews/new/<int:account_id>/", views.review_create, name="review-create"),
    path("reviews/cadence/<int:account_id>/", views.review_cadence, name="review-cadence"),
]
