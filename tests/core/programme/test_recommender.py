"""The recommender and the phase proposal, checked with hand-made profiles whose answer follows from the concept."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kampass.core.assessment import Answer, FieldScore, Placement, TensionScore, score_fields, tension_profile
from kampass.core.concept import FIELDS, LOGICS, PERSPECTIVES, PHASES, SIGNALS, builtin_catalogue, load_catalogue
from kampass.core.concept.model import condition_inputs
from kampass.core.recommender import MAX_NOW, Recommendation, propose_phase, recommend

CAT = builtin_catalogue()


def profile(default: float = 3.2, **means: float) -> list[FieldScore]:
    """Field scores: ``skills=2.5`` sets both perspectives, ``skills_operative=2.5`` one cell."""
    out = []
    for f in FIELDS:
        for p in PERSPECTIVES:
            mean = means.get(f"{f}_{p}", means.get(f, default))
            out.append(FieldScore(f, p, mean, 0.6, 12, 1, False))
    return out


def tension(key: str, current: float, target: float) -> TensionScore:
    return TensionScore(key, current, target, {"all": (current, target)}, ())


def by_logic(recs: list[Recommendation]) -> dict[str, Recommendation]:
    return {r.logic: r for r in recs}


def reason(rec: Recommendation, rule: str):
    return next(r for r in rec.reasons if r.rule == rule)


# ---- the examples of issue 5 ---------------------------------------------------------------------


def test_a_handful_of_very_different_accounts_starts_with_selected_key_accounts_and_groups_later():
    # given five very different key accounts in the build phase, otherwise an unremarkable profile
    signals = {"key_accounts": 5, "account_heterogeneity": 0.8}
    # when the recommender runs
    recs = recommend(CAT, profile(), [], signals, "build")
    logics = by_logic(recs)
    # then Selected Key Accounts comes first, now
    ska = recs[0]
    assert (ska.logic, ska.rank, ska.timing) == ("selected_key_accounts", 1, "now")
    why = reason(ska, "ska_few_distinct")
    assert why.inputs == {"key_accounts": 5.0, "account_heterogeneity": 0.8}
    assert "group similar accounts later" in why.text.en
    assert "5 Accounts, Heterogenität 0,8" in why.text.de
    # and grouping (Facts & Strategy) comes later, after the selected accounts
    grouping = logics["facts_strategy"]
    assert grouping.rank > ska.rank
    assert "selected_key_accounts" in grouping.after
    assert reason(grouping, "fs_grouping_later").inputs == signals
    # and the danger of the logic is watched: reuse of solutions across accounts
    assert ska.guardrail.key == "solution_reuse_share"
    assert "Reinventing" in ska.dangers.en


def test_a_later_timing_hint_holds_grouping_back_when_nothing_else_asks_for_facts_now():
    # outside the build phase no accent asks for Facts & Strategy: only the grouping rule fires
    recs = by_logic(recommend(CAT, profile(), [], {"key_accounts": 5, "account_heterogeneity": 0.8}, "professionalise"))
    grouping = recs["facts_strategy"]
    assert [r.rule for r in grouping.reasons] == ["fs_grouping_later"]
    assert (grouping.score, grouping.timing) == (0.5, "later")
    assert recs["selected_key_accounts"].rank == 1
    assert grouping.rank > recs["topics"].rank  # 'next' logics come before 'later' ones


def test_many_similar_accounts_do_not_start_with_selected_key_accounts():
    # the contrast: forty similar accounts -> common tools rather than an individual approach per account
    recs = by_logic(recommend(CAT, profile(), [], {"key_accounts": 40, "account_heterogeneity": 0.2}, "build"))
    assert recs["tools"].rank < recs["selected_key_accounts"].rank
    assert recs["selected_key_accounts"].score < 0
    assert recs["selected_key_accounts"].timing == "later"
    assert [r.rule for r in recs["selected_key_accounts"].reasons] == ["ska_many_similar"]


# ---- the segment signals (issue 14) ---------------------------------------------------------------


def test_clearly_separated_segments_of_many_key_accounts_speak_for_grouping_by_segment():
    # given forty heterogeneous key accounts in four clearly separated segments, all of them segmented
    signals = {
        "key_accounts": 40,
        "account_heterogeneity": 0.72,
        "key_account_segments": 4,
        "segment_separation": 0.41,
        "key_accounts_segmented_share": 1.0,
    }
    # when
    recs = by_logic(recommend(CAT, profile(), [], signals, "professionalise"))
    # then Selected Key Accounts is recommended per segment, with the segment figures as its reason
    ska = recs["selected_key_accounts"]
    why = reason(ska, "ska_group_by_segment")
    assert why.inputs == {"key_accounts": 40.0, "account_heterogeneity": 0.72, "segment_separation": 0.41,
                          "key_account_segments": 4.0}  # fmt: skip
    assert "4 clearly separated segments" in why.text.en
    assert "4 klar getrennte Segmente" in why.text.de
    assert ska.score == 1.5
    # and the facts are there: no rule asks to compute the segments first
    assert all(r.rule != "fs_segments_missing" for r in recs["facts_strategy"].reasons)


def test_blurred_segments_do_not_fire_the_grouping_rule():
    signals = {"key_accounts": 40, "account_heterogeneity": 0.72, "key_account_segments": 6, "segment_separation": 0.1}
    recs = by_logic(recommend(CAT, profile(), [], signals, "professionalise"))
    assert all(r.rule != "ska_group_by_segment" for r in recs["selected_key_accounts"].reasons)


def test_key_accounts_without_current_segments_ask_for_facts_first():
    # given twenty key accounts of which only half are in the current segment run
    signals = {"key_accounts": 20, "key_accounts_segmented_share": 0.5}
    # when
    recs = by_logic(recommend(CAT, profile(), [], signals, "professionalise"))
    # then Facts & Strategy: diagnose (compute the segments) before selecting or grouping
    fs = recs["facts_strategy"]
    why = reason(fs, "fs_segments_missing")
    assert why.inputs == {"key_accounts": 20.0, "key_accounts_segmented_share": 0.5}
    assert "Only 50" in why.text.en
    assert "compute the segments" in why.text.en
    assert fs.score == 1
    # and with every key account segmented the rule is silent
    done = by_logic(recommend(CAT, profile(), [], {**signals, "key_accounts_segmented_share": 1.0}, "professionalise"))
    assert all(r.rule != "fs_segments_missing" for r in done["facts_strategy"].reasons)


def test_optimistic_potential_estimates_ask_for_facts_and_strategy():
    # given KAMs whose own potential estimates lie 40 % above the model's wallets
    recs = by_logic(recommend(CAT, profile(), [], {"potential_optimism": 0.4}, "professionalise"))
    # then Facts & Strategy: harden the potentials, with the figure as its reason
    why = reason(recs["facts_strategy"], "fs_potentials_optimistic")
    assert why.inputs == {"potential_optimism": 0.4}
    assert "40" in why.text.en
    assert "40" in why.text.de
    # and estimates close to the model (or none) leave the rule silent
    for calm in ({"potential_optimism": 0.1}, {"potential_optimism": None}, {}):
        quiet = by_logic(recommend(CAT, profile(), [], calm, "professionalise"))
        assert all(r.rule != "fs_potentials_optimistic" for r in quiet["facts_strategy"].reasons)


def test_weak_facts_about_potentials_and_decisions_lead_to_facts_and_strategy_with_owners_attached():
    # given weak screening on both perspectives and few qualified opportunities
    fields = profile(screening=2.2)
    recs = recommend(CAT, fields, [], {"opportunities_qualified_share": 0.3}, "build")
    # then Facts & Strategy comes first
    first = recs[0]
    assert (first.logic, first.timing) == ("facts_strategy", "now")
    why = reason(first, "fs_weak_facts")
    assert why.inputs == {
        "screening.operative": 2.2,
        "screening.corporate": 2.2,
        "opportunities_qualified_share": 0.3,
    }
    # but with owners and resources attached, and the share of findings with an action watched
    assert "owner and resources" in why.text.en
    assert "Verantwortliche und Ressourcen" in why.text.de
    assert "30%" in why.text.en
    assert "30 %" in why.text.de
    assert "without owners or resources" in first.dangers.en
    assert (first.guardrail.key, first.guardrail.direction) == ("findings_with_action_share", "min")


@pytest.mark.parametrize(
    ("signals", "rule"),
    [
        ({"leakage_share": 0.12}, "comm_leakage"),
        ({"profitability_trend": -0.1}, "comm_profit_falling"),
    ],
)
def test_heavy_leakage_or_falling_profitability_lead_to_commercialisation(signals, rule):
    recs = recommend(CAT, profile(), [], signals, "build")
    first = recs[0]
    assert (first.logic, first.rank, first.timing) == ("commercialisation", 1, "now")
    assert [r.rule for r in first.reasons] == [rule]
    assert first.reasons[0].inputs == signals
    assert first.guardrail.key == "leakage_share"
    assert first.guardrail.breached(0.12)


def test_leakage_reason_shows_the_figure_in_both_languages():
    recs = recommend(CAT, profile(), [], {"leakage_share": 0.125}, "build")
    text = recs[0].reasons[0].text
    assert text.en.startswith("Profit leakage takes 12.5% of revenue")
    assert text.de.startswith("Profit Leakage kostet 12,5 % des Umsatzes")


def test_tools_missing_or_unused_lead_to_tools_with_adoption_measured():
    # given KAMs who hardly use the tools (plan coverage unknown)
    recs = by_logic(recommend(CAT, profile(), [], {"tool_usage_share": 0.3}, "build"))
    tools = recs["tools"]
    assert (tools.rank, tools.timing) == (1, "now")
    why = reason(tools, "tools_unused")
    assert why.inputs == {"tool_usage_share": 0.3, "accounts_with_plan_share": None}
    assert "measure adoption" in why.text.en
    assert "unbekannt" in why.text.de  # the unknown plan coverage is named, not invented
    # adoption is the guardrail: share of key accounts with a current plan, at least 80 %
    assert (tools.guardrail.key, tools.guardrail.direction, tools.guardrail.threshold) == (
        "accounts_with_plan_share",
        "min",
        0.8,
    )
    # and tools are pursued together with people (training)
    assert tools.combine_with == ("people",)
    assert recs["people"].combine_with == ("tools",)


def test_trained_kams_blocked_by_the_organisation_put_structure_before_more_people_work():
    # given trained KAMs (skills corporate 3.8) whose development actions are often blocked
    fields = profile(skills_corporate=3.8, skills_operative=2.5)
    recs = by_logic(recommend(CAT, fields, [], {"blocked_actions_share": 0.35}, "professionalise"))
    structure, people = recs["structure"], recs["people"]
    # then Structure comes first, People after it although People has more weight
    assert (structure.rank, structure.timing) == (1, "now")
    assert people.rank == 2
    assert people.score > structure.score
    assert people.after == ("structure",)
    assert people.timing == "next"
    assert reason(structure, "structure_blocks_people").inputs == {"blocked_actions_share": 0.35}
    assert "35%" in reason(structure, "structure_blocks_people").text.en
    assert reason(people, "people_after_structure").inputs == {"blocked_actions_share": 0.35}


def test_without_blockers_people_work_is_not_held_back():
    fields = profile(skills_corporate=3.8, skills_operative=2.5)
    recs = by_logic(recommend(CAT, fields, [], {"blocked_actions_share": 0.05}, "professionalise"))
    assert recs["people"].rank == 1
    assert recs["people"].after == ()
    assert recs["structure"].score == 0


def test_many_parallel_topics_lead_to_topics_with_a_limit_and_prioritisation():
    recs = recommend(CAT, profile(), [], {"active_topics": 9, "topic_completion_rate": 0.2}, "professionalise")
    topics = recs[0]
    assert topics.logic == "topics"
    why = reason(topics, "topics_too_many")
    assert why.inputs == {"active_topics": 9.0}
    assert "limit them to at most five" in why.text.en
    assert "prioritise" in why.text.en
    assert "20%" in reason(topics, "topics_low_completion").text.en
    assert (topics.guardrail.key, topics.guardrail.direction, topics.guardrail.threshold) == ("active_topics", "max", 5)


# ---- phase-dependent behaviour --------------------------------------------------------------------


def test_install_phase_starts_with_people_structure_and_a_few_selected_accounts():
    recs = recommend(CAT, [], [], {}, "install")
    now = {r.logic for r in recs if r.timing == "now"}
    assert now == {"people", "structure", "selected_key_accounts"}
    assert recs[-1].logic == "innovation"
    assert recs[-1].score < 0
    assert recs[-1].reasons[0].rule == "accent_install_no_innovation"


def test_focus_phase_puts_commercialisation_and_selected_accounts_first():
    recs = recommend(CAT, profile(4.1), [], {}, "focus")
    assert {recs[0].logic, recs[1].logic} == {"commercialisation", "selected_key_accounts"}
    innovation = by_logic(recs)["innovation"]
    assert innovation.timing == "now"
    assert [r.rule for r in innovation.reasons] == ["innovation_ready", "accent_focus_innovation"]


def test_weak_basics_hold_innovation_back_with_a_reason():
    recs = by_logic(recommend(CAT, profile(2.0), [], {}, "professionalise"))
    innovation = recs["innovation"]
    assert innovation.timing == "later"
    why = reason(innovation, "innovation_homework_first")
    assert why.inputs == {"all": 2.0}
    assert "boomerang" in why.text.en


def test_tension_positions_feed_the_rules():
    tensions = [tension("decision_style", 2.0, 0.0), tension("regulation", -2.5, -1.0)]
    base = by_logic(recommend(CAT, profile(), [], {"raci_conflicts": 3}, "build"))
    recs = by_logic(recommend(CAT, profile(), tensions, {"raci_conflicts": 3}, "build"))
    intuition = reason(recs["facts_strategy"], "fs_intuition")
    assert intuition.inputs == {"decision_style.current": 2.0}
    assert "2 on -3..+3" in intuition.text.en
    # an already heavily regulated company gets less structure, with the reason why
    assert recs["structure"].score == base["structure"].score - 1
    assert reason(recs["structure"], "structure_already_rigid").inputs == {"regulation.current": -2.5}


def test_an_unknown_phase_is_refused():
    with pytest.raises(ValueError, match="unknown phase"):
        recommend(CAT, [], [], {}, "harvest")


def test_rules_are_data_an_administrator_file_changes_the_recommendation(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            rules:
              - key: acme_innovation_push
                logic: innovation
                when: {signal: key_accounts, at_least: 1}
                weight: 10
                reason:
                  en: "Board decision ({key_accounts} accounts)."
                  de: "Vorstandsbeschluss ({key_accounts} Accounts)."
            """
        ),
        encoding="utf-8",
    )
    cat = load_catalogue(path)
    recs = recommend(cat, profile(), [], {"key_accounts": 7}, "build")
    assert recs[0].logic == "innovation"
    assert recs[0].reasons[0].text.de == "Vorstandsbeschluss (7 Accounts)."
    assert recommend(CAT, profile(), [], {"key_accounts": 7}, "build")[0].logic != "innovation"


# ---- phase proposal -------------------------------------------------------------------------------


def test_no_kams_appointed_means_install_even_with_a_flattering_self_assessment():
    p = propose_phase(CAT, profile(3.5), {"kams_appointed": 0, "accounts_with_team_share": 0.1})
    assert p.phase == "install"
    assert [r.rule for r in p.reasons] == ["install_no_kams", "install_few_teams"]
    assert p.reasons[1].inputs == {"accounts_with_team_share": 0.1}
    assert dict(p.scores)["install"] == 6.0
    assert dict(p.scores)["professionalise"] == 2.0


def test_appointed_kams_without_plans_and_with_partial_teams_mean_build():
    signals = {"kams_appointed": 4, "accounts_with_plan_share": 0.3, "accounts_with_team_share": 0.5, "reviews_held": 0}
    p = propose_phase(CAT, profile(2.6), signals)
    assert p.phase == "build"
    assert {r.rule for r in p.reasons} == {
        "build_plans_missing",
        "build_teams_partial",
        "build_no_reviews",
        "build_mid_maturity",
    }
    plans = next(r for r in p.reasons if r.rule == "build_plans_missing")
    assert plans.inputs == {"kams_appointed": 4.0, "accounts_with_plan_share": 0.3}


def test_plans_and_teams_for_most_accounts_mean_professionalise():
    signals = {"kams_appointed": 8, "accounts_with_plan_share": 0.7, "accounts_with_team_share": 0.8}
    assert propose_phase(CAT, profile(3.3), signals).phase == "professionalise"


def test_high_maturity_with_current_plans_means_focus():
    signals = {"kams_appointed": 8, "accounts_with_plan_share": 0.9, "accounts_with_team_share": 0.9}
    p = propose_phase(CAT, profile(4.0), signals)
    assert p.phase == "focus"
    assert p.reasons[0].rule == "focus_mature"
    assert p.reasons[0].inputs == {"all": 4.0, "accounts_with_plan_share": 0.9}


def test_without_any_evidence_the_proposal_is_install_and_says_why():
    p = propose_phase(CAT, [], {})
    assert p.phase == "install"
    assert [r.rule for r in p.reasons] == ["fallback"]
    assert p.reasons[0].inputs == {}


def test_from_answers_to_phase_and_recommendation():
    # given a small round: weak screening answers from a head of KAM and a KAM
    answers = []
    for s in CAT.statements:
        rating = 2 if s.field == "screening" else 3
        answers += [Answer("ann", "head", s.key, rating), Answer("bob", "kam", s.key, rating + 1)]
    fields = score_fields(CAT, answers)
    tensions = tension_profile(CAT, [Placement("ann", "head", "decision_style", 3, 0)])
    signals = {"kams_appointed": 3, "accounts_with_plan_share": 0.4, "accounts_with_team_share": 0.5}
    # when phase and recommendation are computed
    phase = propose_phase(CAT, fields, signals)
    recs = recommend(CAT, fields, tensions, signals, phase.phase)
    # then screening mean (2+3)/2 = 2.5 -> build phase, Facts & Strategy first
    assert phase.phase == "build"
    assert recs[0].logic == "facts_strategy"
    assert reason(recs[0], "fs_weak_facts").inputs["screening.corporate"] == 2.5
    assert reason(recs[0], "fs_intuition").inputs == {"decision_style.current": 3.0}


# ---- properties ------------------------------------------------------------------------------------

field_means = st.one_of(st.none(), st.floats(min_value=1, max_value=5))
signal_values = st.fixed_dictionaries(
    {},
    optional={k: st.one_of(st.none(), st.floats(min_value=-1, max_value=40, allow_nan=False)) for k in SIGNALS},
)
positions = st.one_of(st.none(), st.floats(min_value=-3, max_value=3))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(field_means, min_size=12, max_size=12),
    st.lists(st.tuples(positions, positions), min_size=9, max_size=9),
    signal_values,
    st.sampled_from(PHASES),
)
def test_property_recommendations_are_a_ranked_permutation_that_respects_order_and_traces_inputs(
    means, places, signals, phase
):
    fields = [
        FieldScore(f, p, means[i * 2 + j], 0.5, 5, 0, False)
        for i, f in enumerate(FIELDS)
        for j, p in enumerate(PERSPECTIVES)
    ]
    tensions = [TensionScore(t.key, c, g, {}, ()) for t, (c, g) in zip(CAT.tension_fields, places, strict=True)]
    recs = recommend(CAT, fields, tensions, signals, phase)
    # a permutation of the eight logics, ranked 1..8 without duplicates
    assert sorted(r.logic for r in recs) == sorted(LOGICS)
    assert [r.rank for r in recs] == list(range(1, 9))
    # timings never go back to earlier ones, and only a few logics are 'now'
    order = ["now", "next", "later"]
    assert [order.index(r.timing) for r in recs] == sorted(order.index(r.timing) for r in recs)
    assert sum(r.timing == "now" for r in recs) <= MAX_NOW
    rank = {r.logic: r.rank for r in recs}
    for r in recs:
        if r.score <= 0:
            assert r.timing == "later"
        for first in r.after:
            assert rank[first] < r.rank
        for why in r.reasons:
            rule = CAT.rule(why.rule)
            assert rule.logic == r.logic
            assert not rule.phase or phase in rule.phase
            assert tuple(why.inputs) == condition_inputs(rule.when)
            assert "{" not in why.text.en
            assert "{" not in why.text.de
        assert r.score == pytest.approx(sum(CAT.rule(w.rule).weight for w in r.reasons))


@settings(max_examples=60, deadline=None)
@given(st.lists(field_means, min_size=12, max_size=12), signal_values)
def test_property_phase_proposal_is_a_known_phase_backed_by_its_strongest_evidence(means, signals):
    fields = [
        FieldScore(f, p, means[i * 2 + j], 0.5, 5, 0, False)
        for i, f in enumerate(FIELDS)
        for j, p in enumerate(PERSPECTIVES)
    ]
    p = propose_phase(CAT, fields, signals)
    assert p.phase in PHASES
    scores = dict(p.scores)
    assert scores[p.phase] == max(scores.values())
    for why in p.reasons:
        if why.rule != "fallback":
            rule = next(r for r in CAT.phase_rules if r.key == why.rule)
            assert rule.phase == p.phase
            assert tuple(why.inputs) == condition_inputs(rule.when)
