"""The currencies kampass stores amounts in (ISO 4217 codes), shared by every context's models and forms."""

from __future__ import annotations

CURRENCIES = [
    ("EUR", "EUR"),
    ("CHF", "CHF"),
    ("USD", "USD"),
    ("GBP", "GBP"),
    ("JPY", "JPY"),
    ("CNY", "CNY"),
    ("SEK", "SEK"),
    ("NOK", "NOK"),
    ("DKK", "DKK"),
    ("PLN", "PLN"),
    ("CZK", "CZK"),
    ("HUF", "HUF"),
    ("CAD", "CAD"),
    ("AUD", "AUD"),
    ("BRL", "BRL"),
    ("INR", "INR"),
    ("KRW", "KRW"),
    ("SGD", "SGD"),
]
