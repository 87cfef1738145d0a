from django.urls import path

urlpatterns: list = []

from kampass.screening import views_whitespace  # noqa: E402

urlpatterns += [
    path("screening/whitespace/<int:account_id>/", views_whitespace.whitespace_page, name="screening-whitespace"),
    path(
        "screening/whitespace/<int:account_id>/not-relevant/",
        views_whitespace.whitespace_not_relevant,
        name="screening-whitespace-not-relevant",
    ),
    path(
        "screening/whitespace/<int:account_id>/not-relevant/<int:mark_id>/remove/",
        views_whitespace.whitespace_not_relevant_remove,
        name="screening-whitespace-not-relevant-remove",
    ),
    path(
        "screening/whitespace/<int:account_id>/opportunity/",
        views_whitespace.whitespace_convert,
        name="screening-whitespace-convert",
    ),
    path("screening/product-groups/", views_whitespace.product_groups, name="screening-product-groups"),
    path(
        "screening/product-groups/<int:rule_id>/delete/",
        views_whitespace.product_group_delete,
        name="screening-product-group-delete",
    ),
]
