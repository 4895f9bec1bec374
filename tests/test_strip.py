"""The strip stage: boilerplate goes, look-alike article text stays, rules are data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from evclean import clean
from evclean.cli import main
from evclean.config import Config
from evclean.document import Block, Document, Span
from evclean.strip import (
    RuleError,
    default_rules,
    fingerprint,
    fingerprints,
    load_rules,
    run,
    strip_blocks,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
STRIP = FIXTURES / "strip"

# Neutral article paragraphs the case block is placed among; they must always stay.
FILLER = (
    "The city council voted on Tuesday to expand the bus network, adding four routes that "
    "will connect the northern suburbs with the hospital district by next spring.",
    "Officials estimate the project will cost about $40 million over five years, most of "
    "it covered by a federal grant awarded last autumn after two earlier applications failed.",
    "Residents who spoke at the meeting were broadly supportive, though several asked why "
    "the eastern neighborhoods, where car ownership is lowest, were left for a later phase.",
    "The transit authority said it would publish detailed timetables in February and hold "
    "three public meetings before service begins in the first week of April.",
    "Drivers' union representatives said staffing would be the hardest part, since the "
    "network already runs about sixty operators short on weekday evenings.",
    "A similar expansion in a neighboring county raised ridership by a fifth within a year, "
    "according to figures the authority presented to the council last month.",
)
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def spans(text: str) -> tuple[Span, ...]:
    """Spans of fixture text, where [anchor](url) is a link."""
    out: list[Span] = []
    pos = 0
    for m in _LINK.finditer(text):
        if m.start() > pos:
            out.append(Span(text[pos:m.start()]))
        out.append(Span(m.group(1), href=m.group(2)))
        pos = m.end()
    if pos < len(text):
        out.append(Span(text[pos:]))
    return tuple(out)


def block(text: str, kind: str = "paragraph") -> Block:
    return Block(kind, spans(text), level=2 if kind == "heading" else (1 if kind == "item" else 0))  # type: ignore[arg-type]


def page(case_block: Block, at: str) -> tuple[Block, ...]:
    body = [Block("paragraph", (Span(t),)) for t in FILLER]
    where = {"lead": 0, "middle": 3, "tail": len(body)}[at]
    body.insert(where, case_block)
    return tuple(body)


def load_cases(name: str) -> list[dict[str, object]]:
    data = json.loads((STRIP / name).read_text(encoding="utf-8"))
    return list(data["cases"])


def case_id(case: dict[str, object]) -> str:
    words = re.findall(r"\w+", str(case["text"]).lower())[:7]
    return "-".join([str(case.get("category", case.get("topic", "case"))), *words])


def params(name: str) -> list[object]:
    out = []
    for case in load_cases(name):
        marks = []
        if case.get("xfail"):
            marks.append(pytest.mark.xfail(reason=str(case["xfail"]), strict=True))
        out.append(pytest.param(case, id=case_id(case), marks=marks))
    return out


@pytest.mark.parametrize("case", params("boilerplate.json"))
def test_boilerplate_is_removed(case: dict[str, object]) -> None:
    target = block(str(case["text"]), str(case.get("kind", "paragraph")))
    blocks = page(target, str(case.get("at", "tail")))
    kept, changes = strip_blocks(blocks, default_rules())
    assert target not in kept, "boilerplate kept"
    allowed = case["category"] if isinstance(case["category"], list) else [case["category"]]
    assert [c.category for c in changes] == [c.category for c in changes if c.before == target.text]
    assert changes[0].category in allowed, changes[0].rule
    assert len(kept) == len(FILLER), "an article paragraph was removed"


@pytest.mark.parametrize("case", params("keep.json"))
def test_lookalike_article_text_is_kept(case: dict[str, object]) -> None:
    target = block(str(case["text"]), str(case.get("kind", "paragraph")))
    for at in ("lead", "middle", "tail"):
        blocks = page(target, at)
        kept, changes = strip_blocks(blocks, default_rules())
        assert not changes, f"removed at {at}: {changes[0].rule}"
        assert kept == blocks


def test_fixture_counts() -> None:
    boilerplate = load_cases("boilerplate.json")
    keep = load_cases("keep.json")
    assert len(boilerplate) >= 150
    assert len(keep) >= 150
    names = {c for case in boilerplate for c in (
        case["category"] if isinstance(case["category"], list) else [case["category"]])}
    assert set(default_rules().names) <= names  # every category has cases


# --- groups: a label with the links under it ------------------------------------------


def test_label_takes_its_related_links_along() -> None:
    blocks = (
        *page(block("Read on"), "tail")[:-1],
        block("You may also like", "heading"),
        block("[Ten tips for winter cycling](https://x.test/1)", "item"),
        block("[The best budget e-bikes](https://x.test/2)", "item"),
        block("[Why cities are banning scooters](https://x.test/3)", "item"),
    )
    kept, changes = strip_blocks(blocks, default_rules())
    assert [c.category for c in changes] == ["related"] * 4
    assert "label 'You may also like'" in changes[1].rule
    assert kept == blocks[:-4]


def test_label_stops_at_article_text() -> None:
    article = block(FILLER[0])
    blocks = (block(FILLER[1]), block("Related:", "heading"),
              block("[Bus fares to rise](https://x.test/1)"), article, block(FILLER[2]))
    kept, changes = strip_blocks(blocks, default_rules())
    assert [c.before for c in changes] == ["Related:", "Bus fares to rise"]
    assert article in kept


def test_link_list_without_label_stays() -> None:
    blocks = (block(FILLER[0]), block("[Timetables](https://x.test/t)", "item"),
              block("[Fares](https://x.test/f)", "item"), block(FILLER[1]))
    assert strip_blocks(blocks, default_rules()) == (blocks, [])


def test_label_line_over_folded_links() -> None:
    text = "Don't miss\n[Bus fares to rise in May](https://x.test/1)\n[New tram line opens](https://x.test/2)"
    blocks = page(block(text), "middle")
    kept, changes = strip_blocks(blocks, default_rules())
    assert len(changes) == 1 and changes[0].category == "related"
    assert len(kept) == len(FILLER)


def test_long_paragraph_ending_in_a_pitch_stays() -> None:
    text = ("Choosing the ten best gadgets of the year is hard, and we argued for weeks about "
            "the cameras, the headphones and the one smart speaker that made the list. Some of "
            "your favorites are surely missing. Leave a comment and let us know which ones.")
    blocks = page(block(text), "tail")
    assert strip_blocks(blocks, default_rules())[1] == []


def test_long_middle_paragraph_needs_strong_evidence() -> None:
    # A pattern, many cue words and an imperative, but long, reported and in the middle.
    text = ("Download the app, the company urged in its campaign, and subscribers would get "
            "daily updates, newsletters and alerts on the go; critics said the app store listing "
            "hid how much data it collected from every mobile phone that installed it.")
    blocks = page(block(text), "middle")
    assert strip_blocks(blocks, default_rules())[1] == []


# --- the stage and its report ---------------------------------------------------------


def test_stage_records_one_change_per_removed_block() -> None:
    blocks = page(block("Sign up for our newsletter to get the latest news in your inbox."), "tail")
    doc = Document(html="", blocks=blocks)
    out = run(doc, Config())
    assert len(out.blocks) == len(FILLER)
    (change,) = out.changes
    assert change.stage == "strip" and change.category == "newsletter" and change.after == ""
    assert change.before.startswith("Sign up for our newsletter")
    assert "imperative 'sign'" in change.rule and "tail" in change.rule


def test_stage_without_boilerplate_returns_the_same_document() -> None:
    doc = Document(html="", blocks=tuple(block(t) for t in FILLER))
    assert run(doc, Config()) is doc


def test_keep_category() -> None:
    blocks = page(block("Follow us on Twitter and Facebook for the latest news."), "tail")
    doc = Document(html="", blocks=blocks)
    assert run(doc, Config(keep=frozenset({"social"}))) is doc
    assert len(run(doc, Config(keep=frozenset({"newsletter"}))).blocks) == len(FILLER)


def test_unknown_keep_category_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown strip category 'socials'; categories are: "):
        Config(keep=frozenset({"socials"}))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([
    *FILLER, "Advertisement", "Read more: [Fares rise](https://x.test/f)",
    "Follow us on Twitter for updates!", "Leave a Reply", "The mayor said the plan would help.",
    "Related:", "[Timetables](https://x.test/t)", "Share this article",
]), max_size=12))
def test_strip_is_idempotent_and_deterministic(texts: list[str]) -> None:
    blocks = tuple(block(t) for t in texts)
    once, changes = strip_blocks(blocks, default_rules())
    assert strip_blocks(blocks, default_rules()) == (once, changes)
    assert strip_blocks(once, default_rules()) == (once, [])
    assert [b for b in blocks if b.text in FILLER] == [b for b in once if b.text in FILLER]


# --- batch repetition signal -----------------------------------------------------------


def test_fingerprints_mark_blocks_repeated_across_pages() -> None:
    pages = [[FILLER[i % 4], "Get the free app for news on the go", f"story {i}"]
             for i in range(10)]
    marks = fingerprints(pages, min_pages=3)
    assert fingerprint("get the FREE app for news on the go!") in marks
    assert fingerprint("story 1") not in marks


def test_repetition_is_a_signal_not_a_verdict() -> None:
    pitch = block("News on the go, in our free app")
    plain = block("The council meets again on Thursday")
    blocks = page(pitch, "middle")
    blocks = (*blocks[:3], plain, *blocks[3:])
    marks = frozenset({fingerprint(pitch.text), fingerprint(plain.text)})
    before, _ = strip_blocks(blocks, default_rules())
    after, changes = strip_blocks(blocks, default_rules(), boilerplate=marks)
    assert pitch in before and pitch not in after
    assert plain in after  # repeated, but no cue of any category
    assert "repeated across pages" in changes[0].rule


# --- rule files -----------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "rules.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_user_rules_add_a_category(tmp_path: Path) -> None:
    path = write(tmp_path, """
[categories.webinar]
description = "webinar invitation"
cues = ["webinar*", "register*"]
patterns = ['\\bjoin our (free )?webinar\\b']
""")
    rules = load_rules([path])
    assert "webinar" in rules.names
    blocks = page(block("Join our free webinar on grid storage: register now!"), "tail")
    _, changes = strip_blocks(blocks, rules)
    assert [c.category for c in changes] == ["webinar"]
    assert changes[0].rule.startswith("webinar: pattern")
    assert strip_blocks(blocks, default_rules())[1] == []


def test_user_rules_extend_a_shipped_category(tmp_path: Path) -> None:
    path = write(tmp_path, '[categories.newsletter]\ncues = ["bulletin*", "letterbox"]\n')
    rules = load_rules([path])
    newsletter = next(c for c in rules.categories if c.name == "newsletter")
    assert {"bulletin*", "letterbox", "newsletter*"} <= {c.text for c in newsletter.cues}


@pytest.mark.parametrize(("text", "message"), [
    ("categories = [", "not valid TOML"),
    ("[colours]\nred = 1\n", "unknown key(s) colours; allowed: categories, signals"),
    ('[categories.Bad_Name]\ncues = ["x"]\n', "category 'Bad_Name': a name is lower-case"),
    ("[categories.x]\ncues = \"one\"\n", "category 'x': cues: must be a list of strings, not str"),
    ("[categories.x]\ncues = [\"ok\", 3]\n", "category 'x': cues[1]: must be a non-empty string"),
    ("[categories.x]\npatterns = ['(unclosed']\n",
     "category 'x': patterns[0]: bad regular expression"),
    ("[categories.x]\npatterns = ['Subscribe']\n",
     "patterns[0]: patterns are matched against lower-cased text"),
    ("[categories.x]\ncuez = [\"a\"]\n", "category 'x': unknown key(s) cuez"),
    ("[categories.x]\ndescription = \"nothing\"\n", "category 'x': needs cues or patterns"),
    ("[signals]\nverbs = [\"go\"]\n", "signals: unknown key(s) verbs"),
])
def test_bad_rule_files_name_the_file_and_entry(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RuleError) as info:
        load_rules([path])
    assert str(info.value).startswith(path + ": ")
    assert message in str(info.value)


def test_missing_rule_file(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="cannot read rules"):
        load_rules([str(tmp_path / "nope.toml")])


def test_shipped_rules_name_no_site_of_the_example() -> None:
    text = (Path(__file__).resolve().parents[1] / "src/evclean/rules/strip.toml").read_text(
        encoding="utf-8").lower()
    for name in ("cleantechnica", "tech-news", "36kr", "xiaomi"):
        assert name not in text


# --- command line ----------------------------------------------------------------------

PAGE = """<html><head><title>Council expands bus network</title></head><body><article>
<h1>Council expands bus network</h1>
<p>{}</p><p>{}</p><p>{}</p><p>{}</p>
<p>Follow us on Twitter and Facebook for the latest news!</p>
</article></body></html>""".format(*FILLER[:4])


def test_cli_explain_shows_the_removed_block() -> None:
    result = CliRunner().invoke(main, ["-", "--explain"], input=PAGE)
    assert result.exit_code == 0, result.stderr
    assert "Follow us" not in result.stdout
    assert "social" in result.stderr and "Follow us on Twitter" in result.stderr


def test_cli_keep_and_skip() -> None:
    kept = CliRunner().invoke(main, ["-", "--keep", "social"], input=PAGE)
    assert kept.exit_code == 0 and "Follow us on Twitter" in kept.stdout
    skipped = CliRunner().invoke(main, ["-", "--skip", "strip"], input=PAGE)
    assert skipped.exit_code == 0 and "Follow us on Twitter" in skipped.stdout


def test_cli_unknown_keep_category_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["-", "--keep", "socials"], input=PAGE)
    assert result.exit_code == 2
    assert "unknown strip category 'socials'" in result.stderr


def test_cli_rules_file(tmp_path: Path) -> None:
    page_text = PAGE.replace("Follow us on Twitter and Facebook for the latest news!",
                             "Join our free webinar on grid storage: register now!")
    path = write(tmp_path, '[categories.webinar]\ncues = ["webinar*"]\n'
                           'patterns = [\'\\bjoin our (free )?webinar\\b\']\n')
    plain = CliRunner().invoke(main, ["-"], input=page_text)
    assert "Join our free webinar" in plain.stdout
    result = CliRunner().invoke(main, ["-", "--rules", path, "--format", "json"],
                                input=page_text)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)["report"]
    assert [c["category"] for c in report if c["stage"] == "strip"] == ["webinar"]


def test_cli_bad_rules_file_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path, "[categories.x]\npatterns = ['(']\n")
    result = CliRunner().invoke(main, ["-", "--rules", path], input=PAGE)
    assert result.exit_code == 2
    assert f"{path}: category 'x': patterns[0]: bad regular expression" in result.stderr


def test_library_options() -> None:
    article = clean(PAGE, keep={"social"})
    assert "Follow us on Twitter" in article.markdown
    assert "Follow us on Twitter" not in clean(PAGE).markdown


# --- the example page -----------------------------------------------------------------

STRIP_CHECKS = ("newsletter pitch", "subscription pitch", "donation ask", "tips and podcast ask",
                "affiliate disclosure", "aggregator disclaimer", "comment-section invitation")


def example_dir() -> Path:
    for where in (FIXTURES / "examples", STRIP / "examples"):
        if (where / "aggregator-xiaomi.checks.json").exists():
            return where
    pytest.skip("example pages not in tests/fixtures")
    raise AssertionError  # unreachable


@pytest.mark.parametrize("variant", ["aggregator-xiaomi.html", "aggregator-xiaomi-mojibake.html"])
def test_example_page_strip_checks(variant: str) -> None:
    where = example_dir()
    checks = json.loads((where / "aggregator-xiaomi.checks.json").read_text(encoding="utf-8"))
    markdown = clean((where / variant).read_bytes()).markdown
    patterns = dict(checks["must_not_match"])
    for name in STRIP_CHECKS:
        found = re.search(patterns[name], markdown)
        assert found is None, f"{name}: {found.group(0) if found else ''!r}"
    for name, pattern in checks["must_match"]:
        if name in ("title as a level-1 heading", "first body paragraph kept",
                    "statistic paragraph kept", "last section heading kept"):
            assert re.search(pattern, markdown), f"lost: {name}"
