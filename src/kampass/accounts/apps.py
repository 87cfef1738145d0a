from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kampass.accounts"
    label = "accounts"
    verbose_name = _("Key accounts")

    def ready(self) -> None:
        # the global search (kampass.common.search) finds accounts and contacts through this context's facade
        from kampass.accounts import (
            facade,
            importers,  # noqa: F401  # registers the accounts importers
        )
        from kampass.common.search import register_searcher

        register_searcher(
            "accounts", label=_("Accounts"), searcher=facade.search_accounts, order=10, list_url_name="account-list"
        )
        register_searcher(
            "contacts", label=_("Contacts"), searcher=facade.search_contacts, order=20, list_url_name="contact-list"
        )

        # comments on accounts, and the account's own part of its timeline (kampass.common.comments, .activity)
        from kampass.accounts import activity
        from kampass.accounts.models import Account
        from kampass.common import activity as common_activity
        from kampass.common import comments

        comments.register_target("account", resolve=activity.comment_target, may_view=activity.may_view_comments)
        comments.forget_on_delete("account", Account)
        common_activity.register_source("accounts", activity.account_activity)
