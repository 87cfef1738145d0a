"""Fixtures for the organisation tests."""

from __future__ import annotations
