"""Settings for the analytics tests."""

from __future__ import annotations


def pytest_configure(config):
    config.addinivalue_line("markers", "spark: tests that start Spark in local mode (slow start, needs Java)")
