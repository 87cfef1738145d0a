from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "kampass.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from kampass.common import panels as common_panels
        from kampass.screening import (
            importers,  # noqa: F401  # registers the products importer
            panels_selection,
            panels_wallet,
            panels_whitespace,
            rules_segments,  # noqa: F401  # registers the segments' permissions
            rules_selection,  # noqa: F401  # registers the selection permissions
            rules_wallet,  # noqa: F401  # registers the wallet part's permissions
            rules_whitespace,  # noqa: F401  # registers the whitespace permissions
            views_segments,
        )

        common_panels.register_panel(common_panels.ACCOUNT, panels_selection.account_panel)
        common_panels.register_panel(common_panels.ACCOUNT, panels_wallet.account_panel)
        common_panels.register_panel(common_panels.ACCOUNT, panels_whitespace.account_panel)
        common_panels.register_panel(common_panels.ACCOUNT, views_segments.account_panel)

        # the planning context's share-of-wallet KPI and plan situation read the wallets without importing this context
        from kampass.common import account_facts
        from kampass.screening import facade

        account_facts.register_wallet_shares(facade.wallet_shares)
        account_facts.register_wallet_figures(facade.wallet_figures)
