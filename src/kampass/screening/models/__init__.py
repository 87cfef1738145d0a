"""Models of the screening context, one module per part (criteria and rounds, wallet, whitespace)."""

from kampass.screening.models.wallet import PotentialEstimate, WalletEstimate  # noqa: F401
