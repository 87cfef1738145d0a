from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "kampass.programme"
    label = "programme"
    verbose_name = _("KAM programme")

    def ready(self) -> None:
        # The roadmap reads the running catalogue and the current signals from here; it must not
        # import the programme (which imports the roadmap's facade), so the programme connects itself.
        # The lambdas look the functions up on each call (tests replace them with monkeypatch).
        from kampass.programme import facade
        from kampass.roadmap.facade import ProgrammeSource, connect_programme

        connect_programme(
            ProgrammeSource(catalogue=lambda: facade.active_catalogue(), signals=lambda: facade.current_signals())
        )
        # every page showing a guardrail value asks this one definition (kampass.common.guardrails)
        from kampass.common import guardrails
        from kampass.programme import selectors

        guardrails.connect(lambda keys: selectors.guardrail_values(keys))
        # the global search (kampass.common.search) finds the concept's reference texts through the facade
        from kampass.common.search import register_searcher

        register_searcher("concept", label=_("The concept"), searcher=facade.search_concept, order=50)
