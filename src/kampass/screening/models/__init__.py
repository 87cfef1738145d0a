"""Models of the screening context, one module per part (criteria and rounds, wallet, whitespace)."""
