"""What other contexts may ask of the screening context (the programme reads the portfolio, potential
and segment signals; the planning context shows share of wallet and potential in the plan's situation).
Returns frozen dataclasses and plain values."""

from __future__ import annotations
