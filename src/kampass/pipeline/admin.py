"""Django admin for the pipeline context: sales processes and their stages (configurable by
administrators), and read access to opportunities, risks and model versions."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kampass.pipeline.models import (
    ModelVersion,
    Opportunity,
    Risk,
    Stage,
    StageSet,
    Target,
    TrainingJob,
    UnlinkedOpportunity,
)


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ("order", "name", "probability", "kind", "late")
    ordering = ("order",)


@admin.register(StageSet)
class StageSetAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default", "late_probability")
    inlines = [StageInline]


@admin.register(Opportunity)
class OpportunityAdmin(SimpleHistoryAdmin):
    list_display = ("name", "account", "stage", "amount", "currency", "expected_close_date", "outcome", "probability")
    list_filter = ("outcome", "stage", "forecast_category", "source")
    search_fields = ("name", "account__name", "external_id", "owner_name")
    raw_id_fields = ("account", "owner")
    readonly_fields = ("probability", "model_version", "scored_at")


@admin.register(UnlinkedOpportunity)
class UnlinkedOpportunityAdmin(admin.ModelAdmin):
    """Read access for administrators; linking and creating accounts happen on the list page (services)."""

    list_display = ("name", "company_name", "company_external_id", "stage_name", "amount", "currency", "import_file")
    search_fields = ("name", "company_name", "company_external_id", "external_id")
    raw_id_fields = ("owner",)


@admin.register(Risk)
class RiskAdmin(SimpleHistoryAdmin):
    list_display = ("title", "opportunity", "category", "likelihood", "impact", "cost", "currency", "status")
    list_filter = ("category", "status")
    raw_id_fields = ("opportunity", "owner")


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "trained_at", "training_rows", "active")
    exclude = ("model", "holdout")
    readonly_fields = ("version", "trained_at", "training_rows", "base_rate", "features", "metrics", "reliability")


@admin.register(TrainingJob)
class TrainingJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "status", "progress", "model_version", "scored")
    readonly_fields = ("status", "progress", "message", "model_version", "scored", "error", "created_by", "finished_at")


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "scope", "period", "year", "number", "amount", "currency")
    list_filter = ("scope", "period", "year")
    raw_id_fields = ("owner", "account")
