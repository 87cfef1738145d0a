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
