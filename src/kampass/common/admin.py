"""Administration of the shared plumbing: the exchange rates loaded from rate files (read and delete;
loading is ``kampass rates load FILE``, which validates a file whole)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from kampass.common import fx
from kampass.common.models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("day", "currency", "per_euro", "base", "base_rate", "source", "loaded_at")
    list_filter = ("currency", "source")
    date_hierarchy = "day"
    search_fields = ("currency", "source")
    readonly_fields = ("day", "currency", "per_euro", "base", "base_rate", "source", "loaded_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rate files are loaded whole and validated: `kampass rates load FILE`

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: ExchangeRate) -> None:
        super().delete_model(request, obj)
        fx.invalidate_loaded_rates()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ExchangeRate]) -> None:
        super().delete_queryset(request, queryset)
        fx.invalidate_loaded_rates()
