"""Realistic wallets of the accounts (model estimates) and the potential estimates of their KAMs."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kampass.common.currencies import CURRENCIES


class WalletEstimate(models.Model):
    """The realistic wallet of one account as of a day: the ``q`` quantile of the yearly spend of
    comparable accounts (Perlich, Rosset et al. 2007), cross-fitted so that the account's own spend did
    not train its estimate, with the band of the quantiles ``q - 0.1`` .. ``q + 0.1`` around it.
    ``revenue`` is our revenue with the account in the ``window_days`` to ``as_of`` (the newest invoice day),
    annualised to twelve months when that period is shorter (short invoice histories); share of wallet is
    revenue / wallet, potential wallet - revenue. The wallet is at least the revenue (``floored`` where
    the peers' quantile lay below it, ``subtree_floored`` where that holds for an account of the subtree).
    The ``subtree_*`` figures add up the account and everything below it in the hierarchy (a group's wallet
    is the sum of its companies'). All amounts in ``currency`` (the reporting currency when computed).
    Recomputing replaces the estimate of the same account, day and ``q``."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="wallet_estimates", verbose_name=_("account")
    )
    as_of = models.DateField(_("as of"))
    q = models.DecimalField(
        _("quantile"),
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(0.01), MaxValueValidator(0.99)],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES)
    revenue = models.DecimalField(_("revenue (12 months)"), max_digits=16, decimal_places=2)
    wallet = models.DecimalField(_("wallet"), max_digits=16, decimal_places=2)
    wallet_low = models.DecimalField(_("wallet, low"), max_digits=16, decimal_places=2)
    wallet_high = models.DecimalField(_("wallet, high"), max_digits=16, decimal_places=2)
    subtree_revenue = models.DecimalField(_("revenue incl. subsidiaries"), max_digits=16, decimal_places=2)
    subtree_wallet = models.DecimalField(_("wallet incl. subsidiaries"), max_digits=16, decimal_places=2)
    subtree_wallet_low = models.DecimalField(_("wallet incl. subsidiaries, low"), max_digits=16, decimal_places=2)
    subtree_wallet_high = models.DecimalField(_("wallet incl. subsidiaries, high"), max_digits=16, decimal_places=2)
    window_days = models.PositiveIntegerField(
        _("days of revenue"),
        default=365,
        help_text=_("Length of the period before as of whose revenue the wallet was learnt for; below 365 days "
                    "the revenues are annualised to twelve months."),
    )  # fmt: skip
    floored = models.BooleanField(
        _("wallet raised to the revenue"),
        default=False,
        help_text=_(
            "The comparable accounts' quantile lay below the account's own revenue: the wallet is the revenue."
        ),
    )
    subtree_floored = models.BooleanField(
        _("wallet incl. subsidiaries raised to the revenue"),
        default=False,
        help_text=_("At least one account of the subtree had its wallet raised to its revenue."),
    )
    peers = models.PositiveIntegerField(_("accounts in the model"))
    model_version = models.CharField(_("model version"), max_length=40)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("wallet estimate")
        verbose_name_plural = _("wallet estimates")
        ordering = ["account_id", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["account", "as_of", "q"], name="screening_wallet_estimate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.as_of} q={self.q}: {self.wallet} {self.currency}"


class PotentialEstimate(models.Model):
    """A key account manager's own estimate of an account's yearly wallet (what the customer could buy
    from us in the twelve months after ``as_of``), with the reason. The model's wallet at that moment is
    kept beside it (``model_wallet``), so that the optimism of the KAM against the model, and once a year
    of invoices has passed against what the account then really bought, can be tracked per KAM."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="potential_estimates", verbose_name=_("account")
    )
    as_of = models.DateField(_("as of"))
    wallet = models.DecimalField(
        _("estimated wallet"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES)
    reason = models.TextField(_("reason"))
    model_wallet = models.DecimalField(_("model's wallet"), max_digits=16, decimal_places=2, null=True, blank=True)
    model_currency = models.CharField(_("model's currency"), max_length=3, blank=True)
    estimated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="potential_estimates",
        verbose_name=_("estimated by"),
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("potential estimate")
        verbose_name_plural = _("potential estimates")
        ordering = ["-as_of", "-created_at"]

    def __str__(self) -> str:
        return f"{self.account_id} {self.as_of}: {self.wallet} {self.currency}"
