"""Shared test helpers: paths to fixtures and the shared examples."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def story_page(n: int, paragraphs: int = 12) -> str:
    """A small news page, numbered ``n``, whose article has ``paragraphs`` paragraphs."""
    body = "".join(
        f"<p>Paragraph {i} of story {n}: the committee heard evidence from residents and "
        f"experts about the plan, and will report back before the end of the year.</p>"
        for i in range(1, paragraphs + 1)
    )
    return (f"<!doctype html><html><head><title>Story {n}</title></head><body><article>"
            f"<h1>Story {n}</h1>{body}<p>End of story {n}.</p></article></body></html>")
