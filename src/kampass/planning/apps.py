from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "kampass.planning"
    label = "planning"
    verbose_name = _("Account planning")

    def ready(self) -> None:
        from kampass.common.account_links import register_account_links
        from kampass.planning.links import account_plan_links

        register_account_links("planning", account_plan_links)
        from kampass.common import panels as common_panels
        from kampass.planning import (
            action_services,  # noqa: F401  # registers the copier of open actions
            panels,
        )

        common_panels.register_panel(common_panels.DASHBOARD, panels.dashboard_panel)
        common_panels.register_panel(common_panels.ACCOUNT, panels.account_panel)

        # register their copiers in services.VERSION_COPIERS (a new plan version copies the objectives
        # and uses the same solutions)
        # the worker's daily schedule: today's health snapshots of every key account, then the review events
        from kampass.common.schedule import register_daily
        from kampass.planning import (
            services_objectives,  # noqa: F401
            services_solutions,  # noqa: F401
        )
        from kampass.planning.health_runs import daily_health_run

        register_daily("planning.daily_health", daily_health_run)
        from kampass.planning.export_jobs import daily_export_purge

        register_daily("planning.export_purge", daily_export_purge)

        # the global search (kampass.common.search) finds account plans through this context's facade
        from kampass.common.search import register_searcher
        from kampass.planning.facade import search_plans

        register_searcher("plans", label=_("Account plans"), searcher=search_plans, order=40, list_url_name="plan-list")

        # comments on plan sections, and the plans' and actions' part of the account timeline
        from kampass.common import activity as common_activity
        from kampass.common import comments
        from kampass.planning import activity
        from kampass.planning.models import AccountPlan

        comments.register_target("plan", resolve=activity.comment_target, may_view=activity.may_view_comments)
        comments.forget_on_delete("plan", AccountPlan)
        common_activity.register_source("planning", activity.account_activity)
