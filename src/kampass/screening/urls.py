from django.urls import path

from kampass.screening import views_home, views_segments, views_selection, views_wallet, views_whitespace

urlpatterns = [
    path("", views_home.home, name="screening-home"),
    # selection portfolio, criteria and selection rounds
    path("portfolio/", views_selection.portfolio, name="screening-portfolio"),
    path("portfolio/accounts/<int:account_id>/", views_selection.account_scores, name="screening-portfolio-account"),
    path("criteria/", views_selection.catalogue, name="screening-catalogue"),
    path("rounds/", views_selection.rounds, name="screening-rounds"),
    path("rounds/<int:pk>/", views_selection.round_detail, name="screening-round"),
    path("rounds/<int:pk>/decisions/<int:decision_pk>/", views_selection.decision_record, name="screening-decision"),
    path("rounds/<int:pk>/close/", views_selection.round_close, name="screening-round-close"),
    path("rounds/<int:pk>/export.<str:fmt>", views_selection.round_export, name="screening-round-export"),
    # whitespace and product groups
    path("whitespace/<int:account_id>/", views_whitespace.whitespace_page, name="screening-whitespace"),
    path(
        "whitespace/<int:account_id>/not-relevant/",
        views_whitespace.whitespace_not_relevant,
        name="screening-whitespace-not-relevant",
    ),
    path(
        "whitespace/<int:account_id>/not-relevant/<int:mark_id>/remove/",
        views_whitespace.whitespace_not_relevant_remove,
        name="screening-whitespace-not-relevant-remove",
    ),
    path(
        "whitespace/<int:account_id>/opportunity/",
        views_whitespace.whitespace_convert,
        name="screening-whitespace-convert",
    ),
    path("product-groups/", views_whitespace.product_groups, name="screening-product-groups"),
    path(
        "product-groups/<int:rule_id>/delete/",
        views_whitespace.product_group_delete,
        name="screening-product-group-delete",
    ),
    # wallet, potential and the KAMs' own estimates
    path("wallets/", views_wallet.wallets, name="screening-wallets"),
    path("wallets/recompute/", views_wallet.wallets_recompute, name="screening-wallets-recompute"),
    path(
        "accounts/<int:account_id>/potential-estimate/",
        views_wallet.potential_estimate,
        name="screening-potential-estimate",
    ),
    path("potential-estimates/optimism/", views_wallet.potential_optimism, name="screening-potential-optimism"),
    # segments of the key accounts
    path("segments/", views_segments.segments, name="screening-segments"),
    path("segments/compute/", views_segments.segment_run_compute, name="screening-segments-compute"),
    path("segments/runs/<int:pk>/", views_segments.segment_run, name="screening-segment-run"),
]
