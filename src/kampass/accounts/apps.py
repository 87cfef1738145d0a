from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kampass.accounts"
    label = "accounts"
    verbose_name = _("Key accounts")

    def ready(self) -> None:
        from kampass.accounts import importers  # noqa: F401  # registers the accounts importers
