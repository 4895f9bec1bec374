#!/usr/bin/env python3
"""Score article extraction on the AEB set (../shared/data/aeb) and print a table.

The metric is the benchmark's own: multisets of 4-token shingles (tokens are ``\\w+``),
per-page precision and recall, averaged over pages, F1 of the two means.

usage: python bench/aeb.py [--data DIR] [--systems a,b,...] [--per-page SYSTEM]
                           [--worst N] [--diff PAGE] [--limit N]

--per-page SYSTEM prints every page's P and R for SYSTEM (worst F1 first), --worst N only
the N worst, and --diff PAGE (an id prefix) prints, for the first system, the paragraphs of
its output that the ground truth lacks (+) and those of the ground truth it missed (-).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "aeb"
_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def page_counts(prediction: str, truth: str) -> tuple[float, float, float]:
    """(tp, fp, fn) of one page, divided by their sum so every page weighs the same."""
    pred, gold = shingles(prediction), shingles(truth)
    tp = sum((pred & gold).values())
    fp = sum((pred - gold).values())
    fn = sum((gold - pred).values())
    total = tp + fp + fn
    if not total:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def page_pr(tp: float, fp: float, fn: float) -> tuple[float | None, float | None]:
    """Page precision and recall; None where the page does not count for one of them."""
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp > 0 else None
    recall = tp / (tp + fn) if tp + fn > 0 else None
    return precision, recall


def summarize(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    precisions, recalls = [], []
    for tp, fp, fn in counts:
        p, r = page_pr(tp, fp, fn)
        if tp + fp > 0 or (fp == 0 and fn == 0):
            precisions.append(p if p is not None else 0.0)
        if tp + fn > 0 or (fp == 0 and fn == 0):
            recalls.append(r if r is not None else 0.0)
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def load(data: Path, limit: int | None = None) -> list[tuple[str, str, str, str]]:
    """(id, url, html, truth) for every page of the set, sorted by id."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth)[:limit]:
        raw = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append((page_id, truth[page_id]["url"], raw.decode("utf-8", "replace"),
                      truth[page_id]["articleBody"]))
    return pages


Extractor = Callable[[str, str], str]


def _evclean(**options: object) -> Extractor:
    from evclean import clean
    from evclean.errors import EvcleanError

    def run(html: str, url: str) -> str:
        try:
            article = clean(html, url=url, **options)
        except EvcleanError:
            run.removed.append(())  # type: ignore[attr-defined]
            return ""
        run.removed.append(tuple(  # type: ignore[attr-defined]
            c.before for c in article.report if c.stage == "strip"))
        return article.text

    run.removed = []  # type: ignore[attr-defined]  # per page: the blocks strip removed
    return run


# Phrases of in-article promos (the README's examples and their kin). A page "carries a
# promo" when its output holds one of them more often than its ground truth does.
PROMO = re.compile(
    r"(?i)\b(subscribe to|sign up (for|to)|newsletters?|read more|see more:|related:|"
    r"you (may|might) also like|follow us|don.t miss|share this|also on \S+\.com|"
    r"more great \w+ stories|click here to (get|subscribe|download))"
)


def promo_pages(pages: list[tuple[str, str, str, str]], outputs: list[str]) -> int:
    """How many pages' outputs carry a promo phrase that their ground truth lacks."""
    def phrases(text: str) -> Counter[str]:
        return Counter(m.group(0).lower() for m in PROMO.finditer(text))

    return sum(1 for (_, _, _, truth), out in zip(pages, outputs, strict=True)
               if phrases(out) - phrases(truth))


def wrongly_removed(pages: list[tuple[str, str, str, str]],
                    removed: list[tuple[str, ...]]) -> list[tuple[str, str]]:
    """(page id, block) for each block strip removed that is a ground-truth paragraph.

    A block of 4 or more tokens counts when most of its shingles are in the ground
    truth; a shorter one when it equals a ground-truth paragraph token for token.
    """
    wrong = []
    for (page_id, _, _, truth), blocks in zip(pages, removed, strict=True):
        gold = shingles(truth)
        paragraphs = {tuple(_TOKEN.findall(p.lower())) for p in truth.split("\n")}
        for block in blocks:
            tokens = _TOKEN.findall(block)
            if len(tokens) >= 4:
                own = shingles(block)
                if sum((own & gold).values()) * 2 > sum(own.values()):
                    wrong.append((page_id, block))
            elif tuple(t.lower() for t in tokens) in paragraphs:
                wrong.append((page_id, block))
    return wrong


def _readability(html: str, url: str) -> str:
    from lxml import html as lxml_html
    from readability import Document

    try:
        summary = Document(html).summary(html_partial=True)
    except Exception:
        return ""
    return lxml_html.fromstring(summary).text_content() if summary.strip() else ""


def _trafilatura(**options: object) -> Extractor:
    import trafilatura

    def run(html: str, url: str) -> str:
        return trafilatura.extract(html, url=url, **options) or ""

    return run


def systems() -> dict[str, Callable[[], Extractor]]:
    """Name -> factory, built lazily so that a missing optional package only skips one."""
    return {
        "evclean": lambda: _evclean(),
        "evclean-nostrip": lambda: _evclean(skip={"strip"}),
        "readability-lxml": lambda: _readability,
        "trafilatura": lambda: _trafilatura(),
        "trafilatura-precision": lambda: _trafilatura(favor_precision=True),
    }


def evaluate(extract: Extractor, pages: list[tuple[str, str, str, str]]) -> dict[str, object]:
    """Score one system. pages/s is steady-state: every system first cleans one page
    untimed, so that lazy imports and data loaded once per process are not counted."""
    counts, outputs = [], []
    if pages:
        extract(pages[0][2], pages[0][1])
        if hasattr(extract, "removed"):
            extract.removed.clear()
    start = time.perf_counter()
    for _, url, html, _truth in pages:
        outputs.append(extract(html, url))
    elapsed = time.perf_counter() - start
    for (_, _, _, truth), output in zip(pages, outputs, strict=True):
        counts.append(page_counts(output, truth))
    precision, recall, f1 = summarize(counts)
    return {"precision": precision, "recall": recall, "f1": f1,
            "pages_per_s": len(pages) / elapsed if elapsed else 0.0,
            "counts": counts, "outputs": outputs, "promo": promo_pages(pages, outputs),
            "removed": getattr(extract, "removed", None)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--systems", default=",".join(systems()),
                        help="comma-separated, from: " + ", ".join(systems()))
    parser.add_argument("--per-page", metavar="SYSTEM",
                        help="also print each page's precision and recall for SYSTEM")
    parser.add_argument("--worst", type=int, metavar="N",
                        help="with --per-page: only the N worst pages")
    parser.add_argument("--diff", metavar="PAGE", action="append", default=[],
                        help="print extra (+) and missed (-) paragraphs of a page (id prefix)")
    parser.add_argument("--save", type=Path, metavar="FILE",
                        help="write the first system's per-page P and R to FILE (JSON)")
    parser.add_argument("--baseline", type=Path, metavar="FILE",
                        help="compare the first system's pages with a file from --save")
    parser.add_argument("--limit", type=int, help="only the first N pages (for a quick look)")
    args = parser.parse_args(argv)

    if not (args.data / "ground-truth.json").exists():
        print(f"no benchmark data at {args.data}", file=sys.stderr)
        return 2
    pages = load(args.data, args.limit)
    if args.diff:
        pages = [p for p in pages if any(p[0].startswith(d) for d in args.diff)]
    known = systems()
    results = {}
    for name in args.systems.split(","):
        if name not in known:
            print(f"unknown system {name!r}", file=sys.stderr)
            return 2
        try:
            extractor = known[name]()
        except ImportError as exc:
            print(f"skipping {name}: {exc}", file=sys.stderr)
            continue
        results[name] = evaluate(extractor, pages)

    print(f"AEB: {len(pages)} pages, 4-token shingles, page-averaged P and R\n")
    print("| system | P | R | F1 | pages/s | promo pages |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} "
              f"| {r['pages_per_s']:.0f} | {r['promo']} |")
    print("\npromo pages: pages whose output carries a promo phrase its ground truth lacks")
    for name, r in results.items():
        removed = r["removed"]
        if removed and any(removed):  # type: ignore[arg-type]
            wrong = wrongly_removed(pages, removed)  # type: ignore[arg-type]
            print(f"\nstrip audit, {name}: {sum(map(len, removed))} blocks removed "  # type: ignore[arg-type]
                  f"on {sum(1 for b in removed if b)} pages; "  # type: ignore[union-attr]
                  f"{len(wrong)} ground-truth paragraph(s) wrongly removed")
            for page_id, block in wrong:
                print(f"- {page_id[:16]}: {block[:100]!r}")
    if args.per_page and args.per_page in results:
        print(f"\nper page, {args.per_page} (worst F1 first)\n")
        print("| page | P | R |")
        print("|---|---|---|")
        rows = []
        for (page_id, *_), c in zip(pages, results[args.per_page]["counts"], strict=True):  # type: ignore[call-overload]
            p, r = page_pr(*c)
            p, r = p or 0.0, r or 0.0
            rows.append((2 * p * r / (p + r) if p + r else 0.0, page_id, p, r))
        for _, page_id, p, r in sorted(rows)[:args.worst]:
            print(f"| {page_id[:16]} | {p:.3f} | {r:.3f} |")
    if (args.save or args.baseline) and results:
        name, r = next(iter(results.items()))
        now = {page[0]: page_pr(*c)
               for page, c in zip(pages, r["counts"], strict=True)}  # type: ignore[call-overload]
        if args.save:
            args.save.write_text(json.dumps(now, indent=0, sort_keys=True), encoding="utf-8")
        if args.baseline:
            print_comparison(name, json.loads(args.baseline.read_text(encoding="utf-8")), now)
    if args.diff and results:
        name, r = next(iter(results.items()))
        for (page_id, url, _, truth), output in zip(pages, r["outputs"], strict=True):  # type: ignore[call-overload]
            print(f"\n## {page_id[:16]} {url}\n")
            print("\n".join(diff_lines(output, truth)))
    return 0


def _f1(pr: Any) -> float:
    p, r = (pr[0] or 0.0), (pr[1] or 0.0)
    return 2 * p * r / (p + r) if p + r else 0.0


def print_comparison(name: str, before: dict[str, Any], after: dict[str, Any],
                     threshold: float = 0.005) -> None:
    """How many pages gained or lost F1 against a saved run, and which."""
    deltas = sorted((_f1(after[k]) - _f1(before[k]), k) for k in after if k in before)
    better = [d for d in deltas if d[0] > threshold]
    worse = [d for d in deltas if d[0] < -threshold]
    print(f"\n{name} against the baseline: {len(better)} pages better, {len(worse)} worse, "
          f"{len(deltas) - len(better) - len(worse)} within {threshold} F1\n")
    print("| page | F1 before | F1 after | change |")
    print("|---|---|---|---|")
    for d, k in [*worse, *reversed(better)]:
        print(f"| {k[:16]} | {_f1(before[k]):.3f} | {_f1(after[k]):.3f} | {d:+.3f} |")


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def diff_lines(prediction: str, truth: str, threshold: float = 0.5) -> list[str]:
    """Paragraphs of the prediction mostly absent from the truth (+), and the reverse (-)."""
    out = []
    for sign, mine, other in (("+", prediction, truth), ("-", truth, prediction)):
        theirs = shingles(other)
        joined = " " + " ".join(_TOKEN.findall(other)) + " "
        for para in _paragraphs(mine):
            tokens = _TOKEN.findall(para)
            if not tokens:
                continue
            if len(tokens) < 4:
                shared = float(f" {' '.join(tokens)} " in joined)
            else:
                own = shingles(para)
                shared = sum((own & theirs).values()) / sum(own.values())
            if shared < threshold:
                out.append(f"{sign} [{shared:.2f}] {para[:300]}")
    return out


if __name__ == "__main__":
    sys.exit(main())
