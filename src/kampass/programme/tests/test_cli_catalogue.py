"""``kampass programme catalogue``: an administrator extends or translates the concept catalogue;
a refused file names the exact location and the running catalogue stays as it was."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kampass.programme.catalogue import active_catalogue, extension_path
from kampass.roadmap.catalogue import logic_name

GOOD = """version: acme-1
phases:
  - key: focus
    name: {en: "Focus on few", de: "Fokus auf wenige"}
"""
BAD = """version: acme-2
phases:
  - key: focus
    name: {en: "Only English"}
"""


@pytest.fixture(autouse=True)
def _home(settings, tmp_path: Path) -> None:
    settings.KAMPASS_HOME = tmp_path / "home"


def run(*args: str) -> str:
    out = StringIO()
    call_command("programme", "catalogue", *args, stdout=out)
    return out.getvalue()


def test_a_valid_file_is_installed_and_runs(tmp_path):
    source = tmp_path / "acme.yaml"
    source.write_text(GOOD, encoding="utf-8")

    assert "is valid" in run("check", str(source))
    assert not extension_path().exists()  # check changes nothing
    assert "installed" in run("load", str(source))

    catalogue = active_catalogue()
    assert catalogue.phase("focus").name.de == "Fokus auf wenige"
    assert catalogue.version.endswith("+acme-1")
    assert "acme-1" in run("show")


def test_a_refused_file_names_the_location_and_changes_nothing(tmp_path):
    good, bad = tmp_path / "acme.yaml", tmp_path / "broken.yaml"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(BAD, encoding="utf-8")
    run("load", str(good))

    with pytest.raises(CommandError) as refused:
        run("load", str(bad))

    message = str(refused.value)
    assert "refused, nothing changed" in message
    assert "broken.yaml: phases[0].name" in message
    assert "line 4" in message
    assert active_catalogue().phase("focus").name.de == "Fokus auf wenige"  # still the good extension
    assert extension_path().read_text(encoding="utf-8") == GOOD


def test_reset_brings_back_the_built_in_catalogue_also_for_the_roadmap(tmp_path):
    source = tmp_path / "acme.yaml"
    source.write_text(
        'version: acme-3\nlogics:\n  - key: topics\n    name: {en: "Improvement topics", de: "Verbesserungsthemen"}\n',
        encoding="utf-8",
    )
    run("load", str(source))
    assert logic_name("topics", "de") == "Verbesserungsthemen"

    assert "removed" in run("reset")

    assert logic_name("topics", "de") == "Themen"
    assert "No extension" in run("reset")


def test_a_missing_file_is_reported():
    with pytest.raises(CommandError, match="no such file"):
        run("check", "/nonexistent/catalogue.yaml")
