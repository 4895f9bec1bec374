#!/usr/bin/env python3
"""Score article extraction on the AEB set (../shared/data/aeb) and print a table.

The metric is the benchmark's own: multisets of 4-token shingles (tokens are ``\\w+``),
per-page precision and recall, averaged over pages, F1 of the two means.

usage: python bench/aeb.py [--data DIR] [--systems a,b,...] [--per-page SYSTEM] [--limit N]
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
            return clean(html, url=url, **options).text
        except EvcleanError:
            return ""

    return run


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
        "readability-lxml": lambda: _readability,
        "trafilatura": lambda: _trafilatura(),
        "trafilatura-precision": lambda: _trafilatura(favor_precision=True),
    }


def evaluate(extract: Extractor, pages: list[tuple[str, str, str, str]]) -> dict[str, object]:
    counts, outputs = [], []
    start = time.perf_counter()
    for _, url, html, _truth in pages:
        outputs.append(extract(html, url))
    elapsed = time.perf_counter() - start
    for (_, _, _, truth), output in zip(pages, outputs, strict=True):
        counts.append(page_counts(output, truth))
    precision, recall, f1 = summarize(counts)
    return {"precision": precision, "recall": recall, "f1": f1,
            "pages_per_s": len(pages) / elapsed if elapsed else 0.0,
            "counts": counts, "outputs": outputs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--systems", default=",".join(systems()),
                        help="comma-separated, from: " + ", ".join(systems()))
    parser.add_argument("--per-page", metavar="SYSTEM",
                        help="also print each page's precision and recall for SYSTEM")
    parser.add_argument("--limit", type=int, help="only the first N pages (for a quick look)")
    args = parser.parse_args(argv)

    if not (args.data / "ground-truth.json").exists():
        print(f"no benchmark data at {args.data}", file=sys.stderr)
        return 2
    pages = load(args.data, args.limit)
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
    print("| system | P | R | F1 | pages/s |")
    print("|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} "
              f"| {r['pages_per_s']:.0f} |")
    if args.per_page and args.per_page in results:
        print(f"\nper page, {args.per_page} (worst F1 first)\n")
        print("| page | P | R |")
        print("|---|---|---|")
        rows = []
        for (page_id, *_), c in zip(pages, results[args.per_page]["counts"], strict=True):  # type: ignore[call-overload]
            p, r = page_pr(*c)
            p, r = p or 0.0, r or 0.0
            rows.append((2 * p * r / (p + r) if p + r else 0.0, page_id, p, r))
        for _, page_id, p, r in sorted(rows):
            print(f"| {page_id[:16]} | {p:.3f} | {r:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
