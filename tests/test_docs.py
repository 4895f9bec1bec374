"""The README documents every stage and every command-line option."""

from __future__ import annotations

import re

import pytest

from conftest import TESTS
from evclean.cli import main
from evclean.config import STAGES

README = (TESTS.parent / "README.md").read_text(encoding="utf-8")
OPTIONS = sorted({max(p.opts, key=len) for p in main.params if p.param_type_name == "option"})


@pytest.mark.parametrize("option", OPTIONS)
def test_option_is_documented(option: str) -> None:
    in_code = rf"`[^`\n]*{re.escape(option)}(?![\w-])[^`\n]*`"
    assert re.search(in_code, README), f"README does not document {option}"


@pytest.mark.parametrize("stage", STAGES)
def test_stage_is_documented(stage: str) -> None:
    assert re.search(rf"(?m)^\| {stage} \|", README), f"README's stage table lacks {stage}"


def test_readme_opens_with_the_two_commands() -> None:
    blocks = re.findall(r"```sh\n(.+?)\n```", README, re.DOTALL)
    assert "evclean tests/fixtures/examples/" in blocks[0]
    assert "pytest" in blocks[1]
    ci = (TESTS.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert blocks[1] in ci.splitlines(), ".ci/run must run the README's test command exactly"
