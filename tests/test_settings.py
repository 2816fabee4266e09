"""Every setting is declared once (api/settings.py) and documented in the README's table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _documented() -> dict[str, str]:
    """The README's settings table: variable -> the rest of its row."""
    rows = re.findall(r"^\| `(JEJARING_[A-Z_]+)` \|(.+)$", README, re.MULTILINE)
    return dict(rows)


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_in_the_readme_table(name: str) -> None:
    variable = f"JEJARING_{name.upper()}"
    assert variable in _documented(), f"{variable} is not in the README's settings table"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_says_what_it_does(name: str) -> None:
    assert (Settings.model_fields[name].description or "").strip(), name


def test_the_table_names_no_setting_that_does_not_exist() -> None:
    declared = {f"JEJARING_{n.upper()}" for n in Settings.model_fields}
    assert set(_documented()) <= declared
