#!/usr/bin/env python3
"""Measure degarble on the AEB ground truth (../shared/data/aeb) and print tables.

(a) false edits: the share of clean paragraphs that ``degarble_text`` changes, each
    article being its own context; every changed paragraph is printed, before and after,
    so a person can judge it;
(b) synthetic damage of one kind at a time applied to clean paragraphs (in their
    article, with a fixed random seed): the share that degarble restores exactly, i.e.
    to what it makes of the undamaged paragraph;
(c) throughput of ``degarble_text`` in MB/s of UTF-8 text.

usage: python bench/degarble.py [--data DIR] [--samples N] [--seed N] [--quiet]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from evclean.degarble import explain_text
from evclean.degarble._text import WORD, Context, is_english, zipf
from evclean.document import Change

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "aeb"

Article = list[str]  # paragraphs
Damage = Callable[[Article, int, random.Random], "str | None"]


def load(data: Path) -> list[Article]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    articles = []
    for key in sorted(truth):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", truth[key]["articleBody"])]
        articles.append([p for p in paragraphs if p])
    return articles


def degarble_paragraphs(paragraphs: Article) -> Article:
    out, _ = explain_text("\n\n".join(paragraphs))
    return out.split("\n\n")


# (a) false edits -----------------------------------------------------------------------

def load_verdicts(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    return list(json.loads(path.read_text(encoding="utf-8"))["verdicts"])


def verdict_of(before: str, after: str, verdicts: list[dict[str, str]]) -> dict[str, str] | None:
    for v in verdicts:
        if v["before"] in before and v["after"] in after:
            return v
    return None


def false_edits(articles: list[Article], verdicts: list[dict[str, str]],
                quiet: bool) -> tuple[int, int, int, int]:
    """(changed paragraphs, paragraphs, judged repairs, judged false edits)."""
    total = changed = repairs = false = 0
    for paragraphs in articles:
        text = "\n\n".join(paragraphs)
        out, changes = explain_text(text)
        after = out.split("\n\n")
        if len(after) != len(paragraphs):
            raise SystemExit("degarble changed the number of paragraphs")
        total += len(paragraphs)
        for before, now in zip(paragraphs, after, strict=True):
            if before != now:
                changed += 1
                verdict = verdict_of(before, now, verdicts)
                if verdict is not None and verdict["verdict"] == "repair":
                    repairs += 1
                elif verdict is not None:
                    false += 1
                if not quiet:
                    rules = _rules_between(changes, before, now)
                    b, a = _window(before, now, width=70)
                    judged = (f"{verdict['verdict']}: {verdict['why']}" if verdict
                              else "not judged yet")
                    print(f"- {', '.join(rules)} [{judged}]\n  before: {b!r}\n  after:  {a!r}")
    return changed, total, repairs, false


# (b) synthetic damage --------------------------------------------------------------------

_MISSING_SPACE = re.compile(r"[,;:!?.] (?=[^\W\d_])")
_LOWER_PAIR = re.compile(r"(?<![\w.@/&'’-])[a-z]+( )[a-z]+(?![\w@/&'’-]|\.\w)")
_CASE_PAIR = re.compile(r"(?<![\w.@/&'’-])[a-z]+( )(?:[A-Z][a-z]+|[A-Z]{2,})(?![\w@/&'’-]|\.\w)")
_SPACE = re.compile(r"(?<=[^\W\d_]) (?=[^\W\d_])")
FRAGMENTS = (" </p> ", "</div> ", " <br/>", "< /div > ", "&nbsp;", ' <span class="x">',
             "<br> ", " </p><p>")


def _pick(rng: random.Random, matches: list[re.Match[str]]) -> re.Match[str] | None:
    return rng.choice(matches) if matches else None


def missing_space(article: Article, i: int, rng: random.Random) -> str | None:
    """Delete the space after a punctuation mark that a word follows."""
    p = article[i]
    m = _pick(rng, list(_MISSING_SPACE.finditer(p)))
    return None if m is None else p[:m.end() - 1] + p[m.end():]


def _glue(p: str, m: re.Match[str] | None) -> str | None:
    return None if m is None else p[:m.start(1)] + p[m.end(1):]


def glued_lower(article: Article, i: int, rng: random.Random) -> str | None:
    """Remove the space between two lowercase words."""
    p = article[i]
    return _glue(p, _pick(rng, list(_LOWER_PAIR.finditer(p))))


def glued_lower_nonword(article: Article, i: int, rng: random.Random) -> str | None:
    """Glue two lowercase words whose glued form is no English word ("ofthe", not "into")."""
    p = article[i]
    found = [m for m in _LOWER_PAIR.finditer(p) if zipf(m.group(0).replace(" ", "")) == 0]
    return _glue(p, _pick(rng, found))


def glued_case(article: Article, i: int, rng: random.Random) -> str | None:
    """Remove the space between a lowercase word and a capitalised or upper-case one."""
    p = article[i]
    return _glue(p, _pick(rng, list(_CASE_PAIR.finditer(p))))


def guillemet_swap(article: Article, i: int, rng: random.Random) -> str | None:
    """Turn one curly double quote of a paragraph with balanced quotes into a guillemet."""
    p = article[i]
    if '"' in p or "«" in p or "»" in p or p.count("“") != p.count("”") or "“" not in p:
        return None
    k = rng.choice([m.start() for m in re.finditer("[“”]", p)])
    return p[:k] + ("«" if p[k] == "“" else "»") + p[k + 1:]


def tag_fragment(article: Article, i: int, rng: random.Random) -> str | None:
    """Put a tag fragment or an entity between two words, or at the end."""
    p = article[i]
    fragment = rng.choice(FRAGMENTS)
    spaces = list(_SPACE.finditer(p))
    if not spaces or rng.random() < 0.2:
        return p + fragment.rstrip()
    m = rng.choice(spaces)
    return p[:m.start()] + fragment + p[m.end():] if fragment.strip() != fragment else \
        p[:m.start()] + " " + fragment + p[m.end():]


def name_variant(article: Article, i: int, rng: random.Random) -> str | None:
    """Misspell by one letter (not the first) one occurrence of a proper noun that the
    article spells the same way four or more times (a capitalised word of five or more
    letters, found inside sentences at least half the time); skipped where that gives a
    known word or a word the article already has."""
    ctx = Context.of(article)
    names = {name for name, n in ctx.names if n >= 4}
    counts = ctx.words
    p = article[i]
    # names written as words, not inside a domain, an address or a code name
    found = [m for m in re.finditer(r"(?<![\w.@/_-])[^\W\d_]+(?![\w@/_-]|\.\w)", p)
             if m.group(0) in names]
    if not found:
        return None
    m = rng.choice(found)
    name = m.group(0)
    k = rng.randrange(1, len(name))
    how = rng.choice(("insert", "delete", "substitute", "transpose"))
    if how == "insert":
        variant = name[:k] + name[k] + name[k:]
    elif how == "delete":
        variant = name[:k] + name[k + 1:]
    elif how == "substitute":
        variant = name[:k] + rng.choice([c for c in "aeioulnrst" if c != name[k]]) + name[k + 1:]
    else:
        if k + 1 >= len(name) or name[k] == name[k + 1]:
            return None
        variant = name[:k] + name[k + 1] + name[k] + name[k + 2:]
    if zipf(variant) >= 2.0 or variant in counts:
        return None
    return p[:m.start()] + variant + p[m.end():]


KINDS: dict[str, Damage] = {
    "missing space after punctuation": missing_space,
    "glued lowercase words (all)": glued_lower,
    "glued lowercase words (glued form no word)": glued_lower_nonword,
    "lowercase+Capital glue": glued_case,
    "quote swapped to a guillemet": guillemet_swap,
    "tag fragment or entity": tag_fragment,
    "one-letter name variant": name_variant,
}


def synthetic(articles: list[Article], samples: int, seed: int,
              quiet: bool) -> list[tuple[str, int, int]]:
    english = [a for a in articles if is_english("\n\n".join(a))]
    baseline = [degarble_paragraphs(a) for a in english]
    rows = []
    for kind, damage in KINDS.items():
        rng = random.Random(seed)
        slots = [(a, i) for a in range(len(english)) for i in range(len(english[a]))]
        rng.shuffle(slots)
        tried = restored = 0
        failures = []
        for a, i in slots:
            if tried >= samples:
                break
            article = english[a]
            damaged = damage(article, i, rng)
            if damaged is None or damaged == article[i]:
                continue
            tried += 1
            out = degarble_paragraphs([*article[:i], damaged, *article[i + 1:]])
            if out[i] == baseline[a][i]:
                restored += 1
            else:
                failures.append((damaged, out[i], baseline[a][i]))
        rows.append((kind, tried, restored))
        if not quiet and failures:
            print(f"\n### not restored: {kind} ({len(failures)})\n")
            for damaged, got, want in failures:
                d, g, w = _window(damaged, got, want)
                print(f"- damaged: {d!r}\n  got:     {g!r}\n  wanted:  {w!r}")
    return rows


def _window(*texts: str, width: int = 50) -> tuple[str, ...]:
    """The part of each text around where they differ."""
    start = 0
    while all(start < len(t) for t in texts) and len({t[start] for t in texts}) == 1:
        start += 1
    end = 0
    while all(end < len(t) - start for t in texts) and len({t[-1 - end] for t in texts}) == 1:
        end += 1
    return tuple(t[max(0, start - width):len(t) - end + width] for t in texts)


def _rules_between(changes: list[Change], before: str, after: str) -> list[str]:
    """The rules of the chain of changes that led from ``before`` to ``after``."""
    rules = []
    current = before
    for change in changes:
        if change.before == current:
            rules.append(change.rule)
            current = change.after
    return rules if current == after else ["?"]


# (c) throughput ---------------------------------------------------------------------------

def warm_up() -> float:
    """Seconds to load the word list (once per process)."""
    start = time.perf_counter()
    explain_text("Warm up: load the word list,once.")
    return time.perf_counter() - start


def throughput(articles: list[Article], rounds: int = 3) -> float:
    """MB of UTF-8 text per second, the best of ``rounds`` runs over all articles."""
    texts = ["\n\n".join(a) for a in articles]
    size = sum(len(t.encode("utf-8")) for t in texts)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for t in texts:
            explain_text(t)
        best = min(best, time.perf_counter() - start)
    return size / best / 1e6


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--samples", type=int, default=1000,
                        help="damaged paragraphs per kind (default 1000)")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--quiet", action="store_true", help="print only the tables")
    parser.add_argument("--verdicts", type=Path, default=HERE / "degarble-judged.json",
                        help="a person's verdicts on the changes of part (a)")
    args = parser.parse_args(argv)
    articles = load(args.data)
    warmup = warm_up()

    if not args.quiet:
        print("## (a) clean paragraphs that degarble changed\n")
    changed, total, repairs, false = false_edits(articles, load_verdicts(args.verdicts),
                                                 args.quiet)
    rows = synthetic(articles, args.samples, args.seed, args.quiet)
    mbps = throughput(articles)

    words = sum(len(WORD.findall(p)) for a in articles for p in a)
    print("\n## degarble on the AEB ground truth\n")
    print(f"{len(articles)} articles, {total} paragraphs, {words} words; seed {args.seed}\n")
    print("| measure | value | target |")
    print("|---|---|---|")
    unjudged = changed - repairs - false
    print(f"| (a) clean paragraphs changed (all changes) | {changed} / {total} = "
          f"{changed / total:.3%} | <= 0.1% |")
    print(f"| (a) of them judged repairs of real errors in the ground truth | {repairs} | |")
    print(f"| (a) false edits: judged false + not judged | {false} + {unjudged} / {total} = "
          f"{(false + unjudged) / total:.3%} | <= 0.1% |")
    for kind, tried, restored in rows:
        share = restored / tried if tried else 0.0
        print(f"| (b) restored exactly: {kind} | {restored} / {tried} = {share:.1%} | >= 98% |")
    print(f"| (c) throughput of degarble_text, one process | {mbps:.2f} MB/s "
          f"(plus {warmup:.2f} s once to load the word list) | |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
