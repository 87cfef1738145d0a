from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "kampass.pipeline"
    label = "pipeline"
    verbose_name = _("Opportunities and forecast")

    def ready(self) -> None:
        # the account page shows the account's open pipeline without importing this context
        from kampass.common.account_facts import register_pipeline_total
        from kampass.pipeline.selectors.per_account import account_pipeline_total

        register_pipeline_total(account_pipeline_total)

        # the worker's daily schedule: opportunity uploads left on the mapping step (or kept by a dry run)
        from kampass.common.schedule import register_daily
        from kampass.pipeline.services.imports import daily_uploads_purge

        register_daily("pipeline.uploads_purge", daily_uploads_purge)

        # the global search (kampass.common.search) finds opportunities through this context's facade
        from kampass.common.search import register_searcher
        from kampass.pipeline.facade import search_opportunities

        register_searcher(
            "opportunities",
            label=_("Opportunities"),
            searcher=search_opportunities,
            order=30,
            list_url_name="opportunity-list",
        )

        # comments on opportunities, and the pipeline's part of the account timeline
        from kampass.common import activity as common_activity
        from kampass.common import comments
        from kampass.pipeline import activity
        from kampass.pipeline.models import Opportunity

        comments.register_target("opportunity", resolve=activity.comment_target, may_view=activity.may_view_comments)
        comments.forget_on_delete("opportunity", Opportunity)
        common_activity.register_source("pipeline", activity.account_activity)
