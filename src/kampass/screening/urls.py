from django.urls import path

from kampass.screening import views_wallet

urlpatterns: list = [
    path("wallets/", views_wallet.wallets, name="screening-wallets"),
    path("wallets/recompute/", views_wallet.wallets_recompute, name="screening-wallets-recompute"),
    path(
        "accounts/<int:account_id>/potential-estimate/",
        views_wallet.potential_estimate,
        name="screening-potential-estimate",
    ),
    path("potential-estimates/optimism/", views_wallet.potential_optimism, name="screening-potential-optimism"),
]
