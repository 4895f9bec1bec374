#!/usr/bin/env python3
"""Metadata accuracy on the AEB pages: title, author, published date and site name.

The reference for each field is what the page itself declares in its JSON-LD article
object or, failing that, its Open Graph / <meta> tags; a page without either is left out
for that field. evclean reads those same tags first, so the first row mostly checks that
it picks the right object and normalizes it well. The second row is the real test of its
fallbacks: the same pages with every JSON-LD script and <meta> tag removed, so that only
the visible page (headline, byline, <time>, <title>) is left.

Matching: titles and site names compare case- and space-insensitively (one may contain
the other: a site suffix or a kicker is not an error; a title matches any of the page's
declared headline, og:title and twitter:title); authors match when a reference name and
evclean's author contain one another ("By NAME, Agency" and "NAME"); dates match on the
calendar day.

usage: python bench/metadata.py [--data DIR] [--limit N] [--misses FIELD]
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "aeb"
FIELDS = ("title", "author", "published", "site_name")


def _norm(text: str) -> str:
    for _ in range(2):
        text = html.unescape(text)
    return re.sub(r"\W+", " ", text).strip().casefold()


def _day(value: str) -> str | None:
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", value)
    return "-".join(m.groups()) if m else None


def references(root: Any) -> dict[str, list[str]]:
    """What the page declares for each field (JSON-LD first, then <meta>)."""
    from evclean.metadata import _ARTICLE_TYPES, _json_ld, _meta, _names, _types

    meta = _meta(root)
    objects = _json_ld(root)
    article = next((o for o in objects if _types(o) & _ARTICLE_TYPES), {})
    refs: dict[str, list[str]] = {}
    headline = article.get("headline")
    titles = [t for t in (headline, meta.get("og:title"), meta.get("twitter:title"))
              if isinstance(t, str) and t.strip()]
    if titles:
        refs["title"] = titles
    authors = _names(article.get("author"))
    if not authors:
        value = meta.get("author") or meta.get("article:author")
        if value and not value.startswith("http"):
            authors = [value]
    if authors:
        refs["author"] = authors
    published = article.get("datePublished") or meta.get("article:published_time")
    if isinstance(published, str) and _day(published):
        refs["published"] = [published]
    site = meta.get("og:site_name") or next(iter(_names(article.get("publisher"))), None)
    if site:
        refs["site_name"] = [site]
    return refs


def matches(field: str, got: str | None, refs: list[str]) -> bool:
    if not got:
        return False
    if field == "published":
        return _day(got) is not None and _day(got) in {_day(r) for r in refs}
    g = _norm(got)
    if field == "author":  # "By NAME, Agency" and "NAME" name the same author
        names = [re.sub(r"^by ", "", _norm(r)) for r in refs]
        return any(n and (n in g or (len(g) >= 3 and g in n)) for n in names)
    return any(g and _norm(r) and (g in _norm(r) or _norm(r) in g) for r in refs)


def strip_structured(root: Any) -> None:
    """Remove JSON-LD scripts and <meta> tags: only the visible page is left."""
    for el in list(root.iter("meta", "script")):
        if el.tag == "meta" or (el.get("type") or "").lower() == "application/ld+json":
            el.getparent().remove(el)


def main(argv: list[str] | None = None) -> int:
    from evclean.extract import parse
    from evclean.metadata import read_metadata

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--misses", choices=FIELDS, help="list the pages that miss FIELD")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").exists():
        print(f"no benchmark data at {args.data}", file=sys.stderr)
        return 2
    truth = json.loads((args.data / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[: args.limit]

    modes: dict[str, Callable[[Any], None]] = {
        "whole page": lambda root: None,
        "visible page only (no JSON-LD, no <meta>)": strip_structured,
    }
    table = []
    misses: list[str] = []
    for mode, prepare in modes.items():
        hits = dict.fromkeys(FIELDS, 0)
        totals = dict.fromkeys(FIELDS, 0)
        for page_id in ids:
            raw = gzip.decompress((args.data / "html" / f"{page_id}.html.gz").read_bytes())
            html = raw.decode("utf-8", "replace")
            refs = references(parse(html))
            root = parse(html)
            prepare(root)
            meta = read_metadata(root, truth[page_id]["url"])
            for field in FIELDS:
                if field not in refs:
                    continue
                totals[field] += 1
                got = getattr(meta, field)
                if matches(field, got, refs[field]):
                    hits[field] += 1
                elif args.misses == field:
                    misses.append(f"{mode[:5]} {page_id[:12]} got {got!r} want {refs[field]!r}")
        table.append((mode, hits, totals))

    print(f"Metadata on {len(ids)} AEB pages, against the page's own JSON-LD / Open Graph\n")
    print("| read from | " + " | ".join(FIELDS) + " |")
    print("|---|" + "---|" * len(FIELDS))
    for mode, hits, totals in table:
        cells = [f"{hits[f] / totals[f]:.3f} ({hits[f]}/{totals[f]})" if totals[f] else "-"
                 for f in FIELDS]
        print(f"| {mode} | " + " | ".join(cells) + " |")
    if misses:
        print()
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
