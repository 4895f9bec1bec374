"""strip: drop in-article boilerplate blocks (pitches, disclaimers, related links).

Each block of the body is scored against the categories of the rule data
(``rules/strip.toml`` in the package, plus the user's ``--rules`` files). The score
adds evidence from the category's cue words and strong patterns to signals that a call
to action leaves whatever its wording: an imperative opening, "us"/"our", an
exclamation, links, shortness, a place among the first or last blocks; and subtracts
for length and for reporting ("said", "according to", quotes). A block without a
pattern needs 1.5 points of cues and one call signal before it can go, so spun
paraphrases of a pitch are caught while an article *about* newsletters or donations
keeps its sentences. Every removed block is recorded with the signals that fired.

A label such as "Related:" or "You may also like" takes the run of short, link-heavy
blocks under it along. An optional batch signal, :func:`fingerprints`, marks blocks that
many pages of a batch share; it enters through ``Config.boilerplate`` so the stage stays
pure.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .document import Block, Change, Document, Span

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

if TYPE_CHECKING:
    from .config import Config

NAME = "strip"

#: Score a block must reach to be removed.
THRESHOLD = 5.5
#: Points for a strong pattern, and the most that cue words can add.
PATTERN_POINTS = 4.0
CUE_CAP = 3.0
#: Cue points a block needs when no pattern matched.
MIN_CUES = 1.5

_CATEGORY_KEYS = {"description", "cues", "weak_cues", "patterns", "needs_call"}
_TOP_KEYS = {"signals", "categories"}
_SIGNAL_KEYS = {"imperatives"}
_NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")

_WORD = re.compile(r"\w+(?:['’]\w+)?")
_SENTENCE_START = re.compile(r"(?:^|[.!?…]\s+|\n)\W*([\w'’-]+)")
_SECOND_PERSON = re.compile(r"\b(?:you|your|you'(?:re|ve|ll|d)|yours|yourself)\b")
_SITE_VOICE = re.compile(r"\b(?:we|us|our|we'(?:re|ve|ll|d))\b")
_REPORTING = re.compile(
    r"\b(?:said|says|told|according to|reported|reports|announced|percent|spokes\w+|"
    r"statement|analysts?|officials?|estimated|billion|million|advised|urged|warned|"
    r"added|explained|wrote)\b|%"
)
_QUOTES = re.compile(r"[“”\"]")
_SELF = re.compile(r"\bthis (?:site|website|web site|page|article|post|story|platform|portal|"
                   r"content|newsletter|piece|review|video)\b")
_LABEL = re.compile(r"^\W*[\w'’ ]{2,40}:\s*$|^\W*[\w'’ ]{2,40}(?:\.\.\.|…)\s*$")


class RuleError(ValueError):
    """A rule file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Cue:
    text: str
    weight: float
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Category:
    """One kind of boilerplate: its cue words and strong patterns."""

    name: str
    description: str
    cues: tuple[Cue, ...]
    patterns: tuple[re.Pattern[str], ...]
    #: All patterns in one expression, searched once per block.
    any_pattern: re.Pattern[str] | None = None
    #: Whether a block needs a call signal (imperative, "us/our", ...) to go.
    needs_call: bool = True


class _CueIndex:
    """Finds which cues of a text match with one tokenization and a few lookups.

    A cue is tried (by its regular expression) only when its longest plain word, or else
    the stem of its starred word, is among the text's words; a cue of one word needs no
    regular expression at all, and cues with no word character are always tried.
    """

    def __init__(self, cues: Iterable[str]) -> None:
        self.regex: dict[str, re.Pattern[str]] = {}
        self.by_word: dict[str, list[str]] = {}
        self.by_stem: dict[str, list[tuple[str, str]]] = {}
        self.always: list[str] = []
        self.plain: set[str] = set()  # one whole word: a match of the word is the match
        for cue in cues:
            if cue in self.regex:
                continue
            self.regex[cue] = re.compile(cue_regex(cue))
            low = cue.lower().replace("’", "'")
            runs = re.findall(r"\w+\*?", low)
            plain = [r for r in runs if not r.endswith("*")]
            if plain:
                word = max(plain, key=len)
                self.by_word.setdefault(word, []).append(cue)
                if word == low:
                    self.plain.add(cue)
            elif runs:
                stem = runs[0].rstrip("*")
                self.by_stem.setdefault(stem[:3], []).append((stem, cue))
                if low == runs[0]:
                    self.plain.add(cue)
            else:
                self.always.append(cue)

    def matches(self, text: str) -> set[str]:
        words = set(re.findall(r"\w+", text))
        candidates = list(self.always)
        for word in words:
            candidates += self.by_word.get(word, ())
            for stem, cue in self.by_stem.get(word[:3], ()):
                if word.startswith(stem):
                    candidates.append(cue)
        return {cue for cue in candidates
                if cue in self.plain or self.regex[cue].search(text)}


@dataclass(frozen=True)
class Rules:
    categories: tuple[Category, ...]
    imperatives: frozenset[str]
    index: _CueIndex = field(init=False, compare=False, hash=False, repr=False)
    #: cue text -> (category number, position in its category, cue) for each use of it
    owners: dict[str, list[tuple[int, int, Cue]]] = field(
        init=False, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        cues = (c.text for category in self.categories for c in category.cues)
        object.__setattr__(self, "index", _CueIndex(cues))
        owners: dict[str, list[tuple[int, int, Cue]]] = {}
        for number, category in enumerate(self.categories):
            for position, cue in enumerate(category.cues):
                owners.setdefault(cue.text, []).append((number, position, cue))
        object.__setattr__(self, "owners", owners)

    def hits(self, matched: set[str]) -> dict[int, list[Cue]]:
        """The matched cues of each category (by number), in the category's own order."""
        found: dict[int, list[tuple[int, Cue]]] = {}
        for text in matched:
            for number, position, cue in self.owners.get(text, ()):
                found.setdefault(number, []).append((position, cue))
        return {n: [c for _, c in sorted(pairs, key=lambda p: p[0])] for n, pairs in found.items()}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.categories)


@dataclass(frozen=True)
class Verdict:
    """Why a block is boilerplate: its category, score and the signals that fired."""

    category: str
    score: float
    signals: tuple[str, ...]

    @property
    def rule(self) -> str:
        return f"{self.category}: {', '.join(self.signals)}; score {self.score:g}"


# --- rules -------------------------------------------------------------------------


def normalize(text: str) -> str:
    """Lower-case text with straight apostrophes and single spaces, as rules see it.

    >>> normalize("Don’t  MISS\\nthis")
    "don't miss this"
    """
    return " ".join(text.replace("’", "'").replace("‘", "'").lower().split())


def cue_regex(cue: str) -> str:
    r"""The regular expression of a cue: words, ``*`` for any ending, spaces or hyphens.

    >>> cue_regex("subscri*")
    '(?<!\\w)subscri\\w*'
    >>> bool(re.search(cue_regex("sign up"), "sign-up today"))
    True
    """
    words = cue.lower().replace("’", "'").split()
    parts = []
    for word in words:
        star = word.endswith("*")
        word = word.rstrip("*")
        piece = re.escape(word).replace("\\-", "[\\s-]?")
        parts.append(piece + (r"\w*" if star else ""))
    body = r"[\s-]+".join(parts)
    start = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    end = "" if cue.endswith("*") or not re.search(r"\w$", words[-1]) else r"(?!\w)"
    return start + body + end


def _where(source: str, category: str | None, key: str, index: int | None = None) -> str:
    at = f"{key}[{index}]" if index is not None else key
    return f"{source}: " + (f"category {category!r}: " if category else "") + at


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list):
        raise RuleError(f"{where}: must be a list of strings, not {type(value).__name__}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise RuleError(f"{where}[{i}]: must be a non-empty string, not {item!r}")
    return value


def _compile_cues(items: list[str], weight: float, where: str) -> list[Cue]:
    out = []
    for i, item in enumerate(items):
        if item.strip("* ") == "":
            raise RuleError(f"{where}[{i}]: a cue needs at least one letter, not {item!r}")
        out.append(Cue(item, weight, re.compile(cue_regex(item))))
    return out


def _compile_patterns(items: list[str], where: str) -> list[re.Pattern[str]]:
    out = []
    for i, item in enumerate(items):
        try:
            out.append(re.compile(item))
        except re.error as exc:
            raise RuleError(f"{where}[{i}]: bad regular expression {item!r}: {exc}") from None
        if re.search(r"[A-Z]", re.sub(r"\\.", "", item)):
            raise RuleError(f"{where}[{i}]: patterns are matched against lower-cased text; "
                            f"write {item!r} in lower case")
    return out


def _combine(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))
    except re.error:  # e.g. inline flags that only work at the start of one pattern
        return None


def parse_rules(data: Mapping[str, Any], source: str, base: Rules | None = None) -> Rules:
    """Rules from parsed TOML data; with ``base``, extend its categories and signals."""
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise RuleError(f"{source}: unknown key(s) {', '.join(unknown)}; "
                        f"allowed: {', '.join(sorted(_TOP_KEYS))}")
    imperatives = set(base.imperatives) if base else set()
    signals = data.get("signals", {})
    if not isinstance(signals, dict):
        raise RuleError(f"{source}: signals must be a table")
    bad = sorted(set(signals) - _SIGNAL_KEYS)
    if bad:
        raise RuleError(f"{source}: signals: unknown key(s) {', '.join(bad)}; "
                        f"allowed: {', '.join(sorted(_SIGNAL_KEYS))}")
    if "imperatives" in signals:
        words = _strings(signals["imperatives"], f"{source}: signals.imperatives")
        imperatives |= {normalize(w) for w in words}
    categories: dict[str, Category] = {c.name: c for c in base.categories} if base else {}
    tables = data.get("categories", {})
    if not isinstance(tables, dict):
        raise RuleError(f"{source}: categories must be a table of [categories.NAME] tables")
    for name, table in tables.items():
        if not _NAME_RE.match(name):
            raise RuleError(f"{source}: category {name!r}: a name is lower-case letters, "
                            "digits and hyphens, starting with a letter")
        if not isinstance(table, dict):
            raise RuleError(f"{source}: category {name!r}: must be a table")
        bad = sorted(set(table) - _CATEGORY_KEYS)
        if bad:
            raise RuleError(f"{source}: category {name!r}: unknown key(s) {', '.join(bad)}; "
                            f"allowed: {', '.join(sorted(_CATEGORY_KEYS))}")
        old = categories.get(name)
        description = table.get("description", old.description if old else name)
        if not isinstance(description, str):
            raise RuleError(f"{_where(source, name, 'description')}: must be a string")
        cues = list(old.cues) if old else []
        cues += _compile_cues(_strings(table.get("cues", []), _where(source, name, "cues")),
                              1.0, _where(source, name, "cues"))
        weak = _strings(table.get("weak_cues", []), _where(source, name, "weak_cues"))
        cues += _compile_cues(weak, 0.5, _where(source, name, "weak_cues"))
        patterns = list(old.patterns) if old else []
        patterns += _compile_patterns(
            _strings(table.get("patterns", []), _where(source, name, "patterns")),
            _where(source, name, "patterns"))
        if not cues and not patterns:
            raise RuleError(f"{source}: category {name!r}: needs cues or patterns")
        needs_call = table.get("needs_call", old.needs_call if old else True)
        if not isinstance(needs_call, bool):
            raise RuleError(f"{_where(source, name, 'needs_call')}: must be true or false")
        categories[name] = Category(name, description, tuple(cues), tuple(patterns),
                                    _combine(patterns), needs_call)
    return Rules(tuple(categories.values()), frozenset(imperatives))


def _read_toml(text: str, source: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{source}: not valid TOML: {exc}") from None
    return data


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The rules shipped in the package."""
    text = resources.files("evclean").joinpath("rules/strip.toml").read_text(encoding="utf-8")
    source = "evclean/rules/strip.toml"
    return parse_rules(_read_toml(text, source), source)


@lru_cache(maxsize=32)
def _load(stamped: tuple[tuple[str, int, int], ...]) -> Rules:
    rules = default_rules()
    for path, _, _ in stamped:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RuleError(f"{path}: cannot read rules: {exc}") from None
        rules = parse_rules(_read_toml(text, path), path, rules)
    return rules


def load_rules(paths: Iterable[str] = ()) -> Rules:
    """The shipped rules extended by the rule files at ``paths``, in order.

    Raises :class:`RuleError` naming the file and entry of the first problem.
    """
    stamped = []
    for path in paths:
        try:
            st = Path(path).stat()
        except OSError as exc:
            raise RuleError(f"{path}: cannot read rules: {exc.strerror or exc}") from None
        stamped.append((str(path), st.st_mtime_ns, st.st_size))
    return _load(tuple(stamped))


# --- scoring -----------------------------------------------------------------------


def link_density(block: Block) -> float:
    """Share of a block's characters that are link text."""
    total = sum(len(s.text.strip()) for s in block.spans)
    if not total:
        return 0.0
    return sum(len(s.text.strip()) for s in block.spans if s.href) / total


def _imperative(text: str, imperatives: frozenset[str]) -> str | None:
    for m in _SENTENCE_START.finditer(text):
        word = m.group(1).replace("’", "'")
        if word in imperatives:
            return word
    return None


def place(index: int, count: int) -> str:
    """Where a block sits in the body: ``lead`` (first two), ``tail`` (last three), else
    ``middle``."""
    if index < 2:
        return "lead"
    return "tail" if index >= count - 3 else "middle"


def classify(block: Block, index: int, count: int, rules: Rules,
             repeated: bool = False, keep: frozenset[str] = frozenset()) -> Verdict | None:
    """The verdict on one block at ``index`` of ``count`` body blocks; None keeps it.

    A block whose best category is in ``keep`` stays.

    A link-heavy block whose first line is a related-links label ("Don't miss",
    "Also on ...") is a list of related links folded into one block.
    """
    return _verdict(block, place(index, count), rules, repeated, keep)


def _verdict(block: Block, where: str, rules: Rules, repeated: bool,
             keep: frozenset[str]) -> Verdict | None:
    verdict = _classify(block, where, rules, repeated, keep)
    if verdict is None and "\n" in block.text.strip() and link_density(block) >= 0.5:
        first = block.text.strip().split("\n", 1)[0]
        label = _classify(Block("paragraph", (Span(first),)), where, rules, repeated, keep)
        if label is not None and label.category == "related":
            return Verdict("related", label.score, (*label.signals, "links below the label"))
    return verdict


def _classify(block: Block, where: str, rules: Rules, repeated: bool,
              keep: frozenset[str]) -> Verdict | None:
    if block.kind in ("code", "table", "rule"):
        return None
    raw = block.text
    text = normalize(raw)
    if not text:
        return None
    words = len(_WORD.findall(text))
    matched = rules.index.matches(text)
    short = words <= 30
    best: tuple[float, Category, list[str], bool, bool] | None = None
    hits_of = rules.hits(matched)
    for number, category in enumerate(rules.categories):
        hits = hits_of.get(number, [])
        points = min(CUE_CAP, sum(c.weight for c in hits))
        pattern = whole = False
        if any(c.weight >= 1 for c in hits) or (short and hits) or words <= 6:
            found = _pattern(category, text)
            pattern = found is not None
            whole = found == text
        if not pattern and (points < MIN_CUES or all(c.weight < 1 for c in hits)):
            continue  # weak cues count only beside a full one
        evidence = points + (PATTERN_POINTS if pattern else 0.0)
        if best is None or evidence > best[0]:
            shown = [c.text for c in hits if c.weight >= 1] or [c.text for c in hits]
            best = (evidence, category, shown[:4], pattern, whole)
    if best is None or best[1].name in keep:
        return None
    evidence, category, cues, pattern, whole = best
    signals = []
    if pattern:
        signals.append("pattern")
    if cues:
        signals.append("cues " + "+".join(cues))
    score = evidence
    calls = 0
    verb = _imperative(text, rules.imperatives)
    if verb:
        score += 1.0
        calls += 1
        signals.append(f"imperative '{verb}'")
    if _SECOND_PERSON.search(text):
        score += 1.0
        calls += pattern
        signals.append("2nd person")
    if _SELF.search(text):
        calls += 1
        signals.append("self-reference")
    if pattern and (whole or words <= 6):
        calls += 1
    if _SITE_VOICE.search(text):
        score += 0.5
        calls += 1
        signals.append("us/our")
    if "!" in raw:
        score += 0.5
        calls += 1
        signals.append("exclamation")
    links = link_density(block)
    if links >= 0.5:
        score += 1.0
        calls += 1
        signals.append("links")
    elif links >= 0.2:
        score += 0.5
    if _LABEL.match(raw) or block.kind == "heading":
        calls += 1
    if repeated:
        score += 2.0
        calls += 1
        signals.append("repeated across pages")
    if words <= 12:
        score += 1.5
        signals.append("short")
    elif words <= 30:
        score += 1.0
        signals.append("short")
    elif words > 120:
        score -= 3.0
    elif words > 60:
        score -= 1.5
    if where != "middle":
        score += 1.0
        signals.append(where)
    else:
        if not pattern:
            score -= 1.0
        if words > 30:
            score -= 2.0  # content-bearing paragraphs in the middle need strong evidence
    if words > 25 and _evidence_share(text, category, rules) < 0.5:
        return None  # a content paragraph that ends with a short pitch stays
    reporting = len(set(_REPORTING.findall(text)))
    if reporting:
        score -= min(2.0, float(reporting))
        signals.append("reporting")
    if words > 8 and _QUOTES.search(raw):
        score -= 0.5
    if calls == 0 and category.needs_call:
        return None
    if score < THRESHOLD:
        return None
    return Verdict(category.name, score, tuple(signals))


_SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+|$)")


def _pattern(category: Category, text: str) -> str | None:
    """The text a pattern of the category matched, or None."""
    if category.any_pattern is not None:
        m = category.any_pattern.search(text)
        return m.group(0).strip() if m else None
    for p in category.patterns:
        m = p.search(text)
        if m:
            return m.group(0).strip()
    return None


def _evidence_share(text: str, category: Category, rules: Rules) -> float:
    """Share of a block's words in sentences that make the pitch.

    A sentence makes the pitch when it holds a cue or pattern of the category, a
    pattern of any category, or opens with an imperative. A content paragraph that ends
    with a short pitch keeps its place: the pitch must make up at least half of a longer
    block for the block to go.
    """
    own = [c for c in category.cues if c.weight >= 1]
    total = hit = 0
    for m in _SENTENCE.finditer(text):
        sentence = m.group(0)
        n = len(_WORD.findall(sentence))
        total += n
        if (any(c.regex.search(sentence) for c in own)
                or _imperative(sentence, rules.imperatives)
                or any(c.any_pattern is not None and c.any_pattern.search(sentence)
                       for c in rules.categories)):
            hit += n
    return hit / total if total else 0.0


def _linkish(block: Block) -> bool:
    """A short block that is mostly a link: an entry of a related-links list."""
    if block.kind not in ("item", "paragraph", "heading"):
        return False
    return link_density(block) >= 0.5 and len(_WORD.findall(block.text)) <= 30


def _is_label(block: Block) -> bool:
    text = block.text.strip()
    return block.kind == "heading" or len(_WORD.findall(text)) <= 6


# --- batch repetition ---------------------------------------------------------------


def fingerprint(text: str) -> str:
    """A short, stable fingerprint of a block's words (case and punctuation ignored).

    >>> fingerprint("Share this!") == fingerprint("share  THIS")
    True
    """
    words = " ".join(_WORD.findall(normalize(text)))
    return hashlib.blake2b(words.encode("utf-8"), digest_size=8).hexdigest()


def fingerprints(pages: Iterable[Iterable[str]], min_pages: int = 3,
                 min_share: float = 0.2) -> frozenset[str]:
    """Fingerprints of block texts that recur on many pages of a batch.

    ``pages`` holds each page's block texts. A text counts when it is on at least
    ``min_pages`` pages and on at least ``min_share`` of them. Pass the result as
    ``Config(boilerplate=...)`` to add a "repeated across pages" signal; it is a signal,
    not a verdict: a repeated block still needs cue evidence of a category to go.
    """
    seen: Counter[str] = Counter()
    total = 0
    for texts in pages:
        total += 1
        seen.update({fingerprint(t) for t in texts if _WORD.search(t)})
    need = max(min_pages, int(min_share * total + 0.999))
    return frozenset(fp for fp, n in seen.items() if n >= need)


# --- the stage ----------------------------------------------------------------------


def strip_blocks(blocks: tuple[Block, ...], rules: Rules, keep: frozenset[str] = frozenset(),
                 boilerplate: frozenset[str] = frozenset()
                 ) -> tuple[tuple[Block, ...], list[Change]]:
    """The blocks that remain and a Change for each removed one.

    Removing blocks moves others to the edge of the body, where they score higher, so
    the passes repeat until nothing more goes: stripping stripped blocks changes nothing.
    """
    changes: list[Change] = []
    seen: dict[tuple[int, str], Verdict | None] = {}  # a verdict depends on block and place
    for _ in range(8):
        blocks, found = _strip_pass(blocks, rules, keep, boilerplate, seen)
        if not found:
            break
        changes += found
    return blocks, changes


def _strip_pass(blocks: tuple[Block, ...], rules: Rules, keep: frozenset[str],
                boilerplate: frozenset[str], seen: dict[tuple[int, str], Verdict | None]
                ) -> tuple[tuple[Block, ...], list[Change]]:
    count = len(blocks)
    kept: list[Block] = []
    changes: list[Change] = []
    i = 0
    while i < count:
        block = blocks[i]
        repeated = bool(boilerplate) and fingerprint(block.text) in boilerplate
        key = (id(block), place(i, count))
        if key not in seen:
            seen[key] = _verdict(block, key[1], rules, repeated, keep)
        verdict = seen[key]
        if verdict is None:
            kept.append(block)
            i += 1
            continue
        changes.append(Change(NAME, verdict.rule, block.text, "", verdict.category))
        i += 1
        if verdict.category == "related" and _is_label(block):
            while i < count and _linkish(blocks[i]):
                changes.append(Change(NAME, f"related: link under label {block.text.strip()!r}",
                                      blocks[i].text, "", "related"))
                i += 1
    return tuple(kept), changes


def run(doc: Document, config: Config) -> Document:
    """The strip stage."""
    rules = load_rules(config.rules)
    blocks, changes = strip_blocks(doc.blocks, rules, config.keep, config.boilerplate)
    if not changes:
        return doc
    return doc.record(*changes, blocks=blocks)
