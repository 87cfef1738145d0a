"""The relationship map tells a contact's attitude by shape and by a signed word, not by colour alone,
and is finished like every chart (locale of the language, name and summary for screen readers)."""

from __future__ import annotations

from django.utils import translation

from kampass.accounts.charts import relationship_map
from kampass.core.relationships import ContactNode

NODES = [
    ContactNode(1, "Ada Boss", "CEO", ("decider",), 9, 2, None),
    ContactNode(2, "Bob Buyer", "Purchasing", ("buyer",), 6, -1, 1),
    ContactNode(3, "Cy User", "Engineer", ("user",), 3, 0, 1),
]


def _dots(spec):
    return next(layer for layer in spec["layer"] if "shape" in layer.get("encoding", {}))


def test_attitude_is_coded_by_shape_and_signed_words_besides_colour():
    # given three contacts: supporter, sceptic, neutral
    with translation.override("en"):
        spec = relationship_map(NODES, [], [])
    assert spec is not None
    dots = _dots(spec)
    # then colour and shape both follow the attitude, told as "+2 supporter" in legend and tooltip
    assert dots["encoding"]["color"]["field"] == dots["encoding"]["shape"]["field"] == "attitude_label"
    shapes = dict(
        zip(dots["encoding"]["shape"]["scale"]["domain"], dots["encoding"]["shape"]["scale"]["range"], strict=True)
    )
    assert shapes["+2 supporter"] == "triangle-up"
    assert shapes["−1 sceptical"] == "triangle-down"
    assert shapes["0 neutral"] == "circle"
    labels = {v["name"]: v["attitude_label"] for v in dots["data"]["values"]}
    assert labels == {"Ada Boss": "+2 supporter", "Bob Buyer": "−1 sceptical", "Cy User": "0 neutral"}


def test_the_map_is_finished_in_german_with_a_summary():
    with translation.override("de"):
        spec = relationship_map(NODES, [], [])
    assert spec is not None
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["usermeta"]["a11y"]["title"] == "Beziehungslandkarte des Buying Centers"
    assert "Bob Buyer: −1 skeptisch" in spec["usermeta"]["a11y"]["summary"]
    assert "+2 Unterstützer" in _dots(spec)["encoding"]["shape"]["scale"]["domain"]


def test_the_map_is_built_once_per_content_and_redrawn_when_a_contact_changes(monkeypatch):
    from kampass.accounts import charts

    built: list[int] = []
    finish = charts.finish_chart

    def counted(chart, **kw):
        built.append(1)
        return finish(chart, **kw)

    monkeypatch.setattr(charts, "finish_chart", counted)
    # given the map drawn twice for the same buying centre
    with translation.override("en"):
        first = relationship_map(NODES, [], [])
        second = relationship_map(NODES, [], [])
        # when a contact turns from sceptic to supporter
        turned = [NODES[0], ContactNode(2, "Bob Buyer", "Purchasing", ("buyer",), 6, 1, 1), NODES[2]]
        changed = relationship_map(turned, [], [])
    # then the same map was built once, and the change built a new one that shows it
    assert first == second
    assert len(built) == 2
    assert changed is not None
    labels = {v["name"]: v["attitude_label"] for v in _dots(changed)["data"]["values"]}
    assert labels["Bob Buyer"] == "+1 positive"
