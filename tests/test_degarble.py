"""Tests of the degarble stage: rules on text (cases as data), the stage on documents
(spans, code, reports, options), the CLI options, the example page, and properties."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from evclean import degarble_text
from evclean.cli import main
from evclean.config import Config
from evclean.degarble import RULE_NAMES, RULES, explain_text, garble_scores, run
from evclean.document import Block, Change, Document, Span
from evclean.pipeline import clean

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "degarble"


def cases(name: str) -> list[dict[str, object]]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return list(data["cases"])


def ids(items: list[dict[str, object]]) -> list[str]:
    return [str(c["id"]) for c in items]


def _replay(text: str, changes: list[Change]) -> str:
    """Apply recorded changes, paragraph by paragraph, to ``text``."""
    parts = text.split("\n\n")
    for change in changes:
        assert change.before in parts, f"{change.rule}: before text not found"
        parts[parts.index(change.before)] = change.after
    return "\n\n".join(parts)


# Rules on text ----------------------------------------------------------------------------

POSITIVE = cases("positive.json")


@pytest.mark.parametrize("case", POSITIVE, ids=ids(POSITIVE))
def test_repairs(case: dict[str, str]) -> None:
    out, changes = explain_text(case["text"])
    assert out == case["expected"]
    reported = {c.rule for c in changes}
    assert set(case["rules"]) <= reported
    assert _replay(case["text"], changes) == out


NEGATIVE = cases("negative.json")


@pytest.mark.parametrize("case", NEGATIVE, ids=ids(NEGATIVE))
def test_leaves_clean_text_alone(case: dict[str, str]) -> None:
    out, changes = explain_text(case["text"])
    assert changes == []
    assert out == case["text"]


KNOWN = cases("known-failures.json")


@pytest.mark.parametrize("case", KNOWN, ids=ids(KNOWN))
@pytest.mark.xfail(strict=True, reason="known failure, see the case's 'why'")
def test_known_failures(case: dict[str, str]) -> None:
    assert degarble_text(case["text"]) == case["expected"]


def test_every_rule_has_a_positive_case() -> None:
    covered = {rule for case in POSITIVE for rule in case["rules"]}  # type: ignore[attr-defined]
    assert covered == set(RULE_NAMES)


@pytest.mark.parametrize("rule", RULE_NAMES)
def test_switching_a_rule_off(rule: str) -> None:
    case = next(c for c in POSITIVE if rule in c["rules"])  # type: ignore[operator]
    out, changes = explain_text(str(case["text"]), disabled={rule})
    assert rule not in {c.rule for c in changes}
    assert out != case["expected"]


def test_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown degarble rule"):
        explain_text("text", disabled={"no_such_rule"})
    with pytest.raises(ValueError, match="unknown degarble rule"):
        Config(disabled_rules=frozenset({"no_such_rule"}))


def test_rules_have_summaries_and_unique_names() -> None:
    assert len(set(RULE_NAMES)) == len(RULES)
    assert all(rule.summary for rule in RULES)


# The stage on documents -------------------------------------------------------------------

def _doc(*blocks: Block) -> Document:
    return Document(html="", blocks=blocks)


def test_links_and_emphasis_survive() -> None:
    block = Block("paragraph", (
        Span("Read the "),
        Span("report", href="https://example.org/r"),
        Span(",which was "),
        Span("published", strong=True),
        Span(" today.It said so."),
    ))
    out = run(_doc(block), Config())
    spans = out.blocks[0].spans
    assert out.blocks[0].text == "Read the report, which was published today. It said so."
    assert Span("report", href="https://example.org/r") in spans
    assert Span("published", strong=True) in spans
    assert [c.rule for c in out.changes] == ["punct_spacing"]
    assert out.changes[0].stage == "degarble" and out.changes[0].category == "paragraph"


def test_space_inserted_after_bold_goes_outside_it() -> None:
    block = Block("paragraph", (Span("Note of warning!", strong=True),
                                Span("tech-news.info is a site.")))
    out = run(_doc(block), Config())
    assert out.blocks[0].spans[0] == Span("Note of warning!", strong=True)
    assert out.blocks[0].spans[1].text == " tech-news.info is a site."


def test_code_spans_and_blocks_are_never_touched() -> None:
    inline = Block("paragraph", (
        Span("Run "), Span("a,b;c.Then", code=True), Span(" and then,see the result.Good."),
    ))
    code = Block("code", (Span("x = f(a,b);print(x)\nregardingTHE thing", code=True),))
    table = Block("table", rows=(((Span("a,b"),), (Span("regardingX"),)),))
    out = run(_doc(inline, code, table), Config())
    assert out.blocks[0].spans[1] == Span("a,b;c.Then", code=True)
    assert out.blocks[0].text == "Run a,b;c.Then and then, see the result. Good."
    assert out.blocks[1] == code and out.blocks[2] == table


def test_clean_document_is_returned_as_is() -> None:
    doc = _doc(Block("paragraph", (Span("A clean sentence, as it should be."),)))
    assert run(doc, Config()) is doc


def test_dangling_punct_only_in_paragraphs() -> None:
    item = Block("item", (Span("apples,"),), level=1)
    para = Block("paragraph", (Span("It ends here,"),))
    out = run(_doc(item, para), Config())
    assert out.blocks[0].text == "apples,"
    assert out.blocks[1].text == "It ends here."


def test_drop_garbled_paragraphs() -> None:
    garbled = Block("paragraph", (Span("XPENG,NIO,BYD,ZEEKR,etc.,have entered soil"),))
    fine = Block("paragraph", (Span("This paragraph is clean and stays in the article."),))
    kept = run(_doc(garbled, fine), Config())
    assert len(kept.blocks) == 2
    dropped = run(_doc(garbled, fine), Config(drop_garbled=0.5))
    assert [b.text for b in dropped.blocks] == [fine.text]
    assert dropped.changes[-1].rule == "drop_garbled"
    assert dropped.changes[-1].after == ""


def test_drop_garbled_must_be_a_share() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        Config(drop_garbled=2.0)


def test_garble_scores_follow_changes_back() -> None:
    garbled = Block("paragraph", (Span("XPENG,NIO,BYD,ZEEKR,etc.,have entered soil"),))
    fine = Block("paragraph", (Span("This paragraph is clean and stays in the article."),))
    code = Block("code", (Span("x=1", code=True),))
    out = run(_doc(garbled, fine, code), Config())
    scores = garble_scores(out)
    assert scores.blocks[0] is not None and scores.blocks[0] > 0.5
    assert scores.blocks[1:] == (0.0, None)
    assert 0 < scores.article < scores.blocks[0]


def test_skipping_the_stage() -> None:
    html = "<html><body><article><p>" + "Fine words here. " * 30 + "</p><p>It grew,fast.</p>" \
           "</article></body></html>"
    assert "It grew, fast." in clean(html).markdown
    article = clean(html, skip={"degarble"})
    assert "It grew,fast." in article.markdown
    assert article.garble is not None and article.garble.article > 0


def test_degarble_text_keeps_separators() -> None:
    text = "It grew,fast.\n\n\nIt did.\n"
    assert degarble_text(text) == "It grew, fast.\n\n\nIt did.\n"


# CLI ---------------------------------------------------------------------------------------

PAGE = ("<html><head><title>T</title></head><body><article><p>" + "Fine words here. " * 30
        + "</p><p>XPENG,NIO,BYD,ZEEKR,etc.,have entered soil</p></article></body></html>")


def test_cli_no_rule_and_json_scores(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, [str(page), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert "XPENG, NIO" in data["markdown"]
    assert data["garble"]["article"] > 0
    assert max(data["garble"]["paragraphs"]) > 0.5
    result = runner.invoke(main, [str(page), "--no-rule", "punct_spacing"])
    assert result.exit_code == 0
    assert "XPENG,NIO" in result.stdout


def test_cli_drop_garbled(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, [str(page), "--drop-garbled", "0.5"])
    assert result.exit_code == 0
    assert "XPENG" not in result.stdout and "Fine words here." in result.stdout


def test_cli_unknown_rule_is_a_usage_error(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, [str(page), "--no-rule", "nope"])
    assert result.exit_code == 2
    assert "unknown degarble rule 'nope'" in result.stderr
    assert result.stdout == ""


def test_cli_drop_garbled_out_of_range(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["x.html", "--drop-garbled", "1.5"])
    assert result.exit_code == 2


# Properties ---------------------------------------------------------------------------------

WORDS = ["the", "market", "grew", "Xiaomi", "Huawei", "sales", "regarding", "of", "and", "a",
         "U.S.", "e.g.", "3.5", "1,000", "10:30", "tech-news.info", "iPhone", "eBay", "it",
         "said", "“we", "sell”", "«", "»", "“", "”", "(initial", "stages)", "<br/>", "&nbsp;",
         "Xiami", "Xiaomii", "XPENG,NIO", "shortly.)time", "planning“;", "further.”", "To",
         "amplify,”", "theFederal", "regardingthe", "Ну", "été", ":)", "f(x)", "a<b", "x=1"]
SEPARATORS = [" ", " ", " ", ", ", ". ", ",", ".", "\n\n", ";", "!", "?", ""]
texts = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)),
                 min_size=1, max_size=40).map(lambda ps: "".join(w + s for w, s in ps))

# Rules that may change word characters (letters, digits): the others only add or move
# spaces, quotes and punctuation.
WORD_RULES = {"tag_fragments", "entities", "name_variants", "sentence_case"}


@settings(max_examples=150, deadline=None)
@given(texts)
def test_idempotent(text: str) -> None:
    once = degarble_text(text)
    assert degarble_text(once) == once


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_idempotent_on_any_text(text: str) -> None:
    once = degarble_text(text)
    assert degarble_text(once) == once


@settings(max_examples=150, deadline=None)
@given(texts)
def test_word_characters_change_only_where_reported(text: str) -> None:
    out, changes = explain_text(text)
    assert _replay(text, changes) == out
    for change in changes:
        if change.rule not in WORD_RULES:
            assert re.sub(r"\W", "", change.before) == re.sub(r"\W", "", change.after), change
    if not changes:
        assert out == text
