"""Screening: which customers deserve key-account status (selection portfolio and rounds), how large
their potential really is (realistic wallet, share of wallet) and where we do not yet sell what they
buy (whitespace and cross-selling)."""
