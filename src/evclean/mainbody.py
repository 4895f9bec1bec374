"""Find the element that holds a page's article and cut it out, cleaned.

The scoring follows the Readability family (Arc90, Mozilla's Readability.js,
readability-lxml): every block of running text scores its parent and grandparents by
length and commas, class and id names add or subtract, link-heavy regions lose in
proportion to their link text. Unlike those it works on one pre-cleaned lxml tree in a
single bottom-up pass (no re-parsing, no serialising), keeps embedded posts (quoted
tweets and the like), lists and data tables that sit among the article's paragraphs,
and, when the best candidate holds too little of the page's running text, widens to the
smallest ancestor that holds the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.etree import _Element

#: Elements whose text flows inline inside a block.
INLINE_TAGS = frozenset({
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn",
    "em", "font", "i", "img", "ins", "kbd", "label", "mark", "q", "s", "samp", "small",
    "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr", "nobr",
    "picture", "source",
})
# Blocks whose own text is a paragraph that scores the block around it ...
_LEAF_TAGS = frozenset({"p", "pre", "blockquote", "h5", "h6"})
# ... and containers whose loose text (text outside any child block) scores themselves.
_CONTAINER_TAGS = frozenset({"div", "section", "article", "main", "td", "dd", "center",
                             "body", "li"})
_TAG_SCORE = {
    "div": 5, "article": 10, "main": 5, "section": 3, "pre": 3, "td": 3, "blockquote": 3,
    "address": -3, "ol": -3, "ul": -3, "dl": -3, "dd": -3, "dt": -3, "li": -3, "form": -3,
    "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "th": -5, "header": -5,
    "footer": -5, "nav": -5,
}
_POSITIVE = re.compile(
    r"article|body|content|entry|hentry|main|page|post|text|blog|story|prose", re.IGNORECASE
)
_NEGATIVE = re.compile(
    r"combx|comment|com-|contact|foot|footer|footnote|masthead|media|meta|outbrain|promo|"
    r"related|scroll|shoutbox|sidebar|sponsor|shopping|tags|tool|widget|share|social|"
    r"byline|author|caption|credit|newsletter|subscri|recommend|popular|trending|teaser|"
    r"standfirst|kicker|(?:^|[\s_-])dek(?:$|[\s_-])",
    re.IGNORECASE,
)
# Quoted posts embedded in an article (their blockquote's class names the service).
_EMBED_CLASS = re.compile(r"tweet|instagram|tiktok|bluesky|mastodon|reddit|threads|embed",
                          re.IGNORECASE)
_MIN_PARAGRAPH = 25


def _tag(el: _Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def class_weight(el: _Element) -> int:
    """+25 for an article-like class or id, -25 for a chrome-like one (each attribute)."""
    weight = 0
    for value in (el.get("class"), el.get("id")):
        if value:
            if _NEGATIVE.search(value):
                weight -= 25
            if _POSITIVE.search(value):
                weight += 25
    return weight


@dataclass
class _Stats:
    """Text measures of one element, filled bottom-up."""

    text: int = 0  # characters of text below it, white space excluded at the ends
    links: int = 0  # of which inside <a>
    own: int = 0  # characters of its own inline text (text not inside a child block)
    commas: int = 0  # commas in its own inline text
    all_commas: int = 0  # commas in all of its text
    score: float = 0.0
    scored: bool = False


def _count_commas(text: str) -> int:
    return text.count(",") + text.count("，") + text.count("、") + text.count("،")


def measure(root: _Element) -> dict[_Element, _Stats]:
    """Text, link text and own inline text of every element, in one bottom-up pass."""
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    stats: dict[_Element, _Stats] = {}
    inline = INLINE_TAGS | {"br"}
    for el in reversed(elements):
        s = _Stats()
        text = el.text
        if text:
            s.text = s.own = len(text.strip())
            s.commas = _count_commas(text)
        inline_commas = 0
        for child in el:
            tail = child.tail
            if tail:
                n = len(tail.strip())
                s.text += n
                s.own += n
                s.commas += _count_commas(tail)
            cs = stats.get(child)
            if cs is None:
                continue
            s.text += cs.text
            s.links += cs.links
            s.all_commas += cs.all_commas
            if child.tag.lower() in inline:
                s.own += cs.text
                inline_commas += cs.commas
        s.all_commas += s.commas
        s.commas += inline_commas
        if el.tag.lower() == "a":
            s.links = s.text
        stats[el] = s
    return stats


def link_density(s: _Stats) -> float:
    return s.links / s.text if s.text else 0.0


def _initial(el: _Element, st: _Stats) -> None:
    st.scored = True
    st.score = _TAG_SCORE.get(_tag(el), 0) + class_weight(el)


def score(root: _Element, stats: dict[_Element, _Stats]) -> list[_Element]:
    """Score candidates (Readability's rule) and return them, best first."""
    candidates: list[_Element] = []
    for el, st in stats.items():
        if st.own < _MIN_PARAGRAPH:
            continue
        tag = _tag(el)
        if tag in _LEAF_TAGS:
            target = el.getparent()
        elif tag in _CONTAINER_TAGS and tag != "li":
            target = el
        else:
            continue
        points = 1 + st.commas + min(st.own / 100, 3)
        level = 0
        while target is not None and level < 3:
            pst = stats.get(target)
            if pst is None:
                break
            if not pst.scored:
                _initial(target, pst)
                candidates.append(target)
            pst.score += points / (1 if level == 0 else 2 if level == 1 else level * 3)
            target = target.getparent()
            level += 1
    for el in candidates:
        st = stats[el]
        st.score *= 1 - link_density(st)
    candidates.sort(key=lambda e: stats[e].score, reverse=True)
    return candidates


def _climb(best: _Element, stats: dict[_Element, _Stats], ranked: list[_Element]) -> _Element:
    """Move up from the best candidate where its parent is the better article root."""
    top = stats[best].score
    # several strong candidates elsewhere under one ancestor: the article is in parts
    related = set(best.iterancestors()) | set(best.iterdescendants())
    strong = [e for e in ranked[1:6] if stats[e].score >= 0.75 * top and e not in related]
    if len(strong) >= 3:
        for ancestor in best.iterancestors():
            if _tag(ancestor) in ("body", "html"):
                break
            if sum(1 for e in strong if ancestor in set(e.iterancestors())) >= 3:
                best = ancestor
                break
    last = stats[best].score
    parent = best.getparent()
    threshold = last / 3
    while parent is not None and _tag(parent) not in ("body", "html"):
        pst = stats.get(parent)
        if pst is None or not pst.scored:
            parent = parent.getparent()
            continue
        if pst.score < threshold:
            break
        if pst.score > last:
            best = parent
            break
        last = pst.score
        parent = parent.getparent()
    # an only child says nothing about its parent: move up through wrappers
    while True:
        parent = best.getparent()
        if parent is None or _tag(parent) in ("body", "html"):
            break
        kids = [c for c in parent if isinstance(c.tag, str)]
        if len(kids) != 1:
            break
        best = parent
    return best


def _is_paragraph_like(el: _Element, st: _Stats) -> bool:
    text = (el.text_content() or "").strip()
    ld = link_density(st)
    if len(text) > 80 and ld < 0.25:
        return True
    return 0 < len(text) <= 80 and ld == 0 and bool(re.search(r"\.( |$)", text))


def pick(root: _Element) -> tuple[list[_Element], dict[_Element, _Stats]] | None:
    """The elements that make up the article, in document order, or None."""
    stats = measure(root)
    ranked = score(root, stats)
    if not ranked:
        return None
    best = _climb(ranked[0], stats, ranked)
    bst = stats[best]
    top = bst.score if bst.scored else 0.0
    threshold = max(10.0, top * 0.2)
    parent = best.getparent()
    if parent is None:
        return [best], stats
    best_class = best.get("class") or ""
    chosen: list[_Element] = []
    for sibling in parent:
        if not isinstance(sibling.tag, str):
            continue
        if sibling is best:
            chosen.append(sibling)
            continue
        if _tag(sibling) in ("header", "footer", "aside", "nav"):
            continue
        sst = stats.get(sibling)
        if sst is None:
            continue
        bonus = top * 0.2 if best_class and sibling.get("class") == best_class else 0.0
        if (sst.scored and sst.score + bonus >= threshold) or (
            _tag(sibling) == "p" and _is_paragraph_like(sibling, sst)
        ):
            chosen.append(sibling)
    chosen += _segments(ranked, stats, chosen, threshold)
    if len(chosen) > 1:
        order = {el: i for i, el in enumerate(root.iter())}
        chosen.sort(key=order.__getitem__)
    return chosen, stats


def _segments(ranked: list[_Element], stats: dict[_Element, _Stats], chosen: list[_Element],
              threshold: float) -> list[_Element]:
    """Other parts of an article split into boxes of the top candidate's kind."""
    first = ranked[0]
    kind = (_tag(first), first.get("class") or "")
    if not kind[1]:
        return []
    inside: set[_Element] = set()
    for el in chosen:
        inside.update(el.iter())
        inside.update(el.iterancestors())
    found: list[_Element] = []
    for el in ranked[1:]:
        st = stats[el]
        if st.score < threshold:
            break
        if (_tag(el), el.get("class") or "") != kind or el in inside:
            continue
        if link_density(st) > 0.25:
            continue
        found.append(el)
        inside.update(el.iter())
        inside.update(el.iterancestors())
    return found


def _count(el: _Element, tag: str) -> int:
    return sum(1 for _ in el.iter(tag))


def prune(container: _Element, stats: dict[_Element, _Stats]) -> None:
    """Drop link lists, empty boxes and chrome left inside the chosen article (in place)."""
    doomed: list[_Element] = []
    for el in container.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        st = stats.get(el)
        if st is not None and (class_weight(el) < 0 or link_density(st) > 0.33):
            doomed.append(el)
    boxes = [el for el in container.iter("div", "section", "ul", "ol", "table", "aside",
                                         "header", "footer", "form", "fieldset", "dl")
             if el is not container]
    whole = stats[container].text if container in stats else 0
    for el in reversed(boxes):
        st = stats.get(el)
        if st is None:
            continue
        if _tag(el) == "header" and st.text < 0.4 * whole:
            doomed.append(el)  # the article's head: headline, byline, date, share bar
        elif _is_junk_box(el, st):
            doomed.append(el)
    seen: set[_Element] = set()
    for el in doomed:
        if el in seen:
            continue
        seen.update(el.iter())
        drop(el)


def holds_embedded_post(el: _Element) -> bool:
    """Whether ``el`` holds a quoted post (a tweet's blockquote and the like)."""
    return any(_EMBED_CLASS.search(q.get("class") or "") for q in el.iter("blockquote"))


def _is_junk_box(el: _Element, st: _Stats) -> bool:
    """Readability's conditional cleaning, kinder to lists, tables and quoted posts."""
    if holds_embedded_post(el):
        return False
    tag = _tag(el)
    weight = class_weight(el)
    content = st.score if st.scored else 0.0
    if weight + content < 0 and el.find(".//blockquote") is None:
        return True
    if st.all_commas >= 10:
        return False
    ld = link_density(st)
    if tag in ("ul", "ol", "dl"):
        return ld > 0.35 or (weight < 0 and ld > 0.2)
    paragraphs = _count(el, "p")
    images = _count(el, "img")
    if images > 1 and paragraphs and images > 1 + paragraphs * 1.3:
        return True  # a gallery
    if _count(el, "li") > paragraphs + 100:
        return True
    if _count(el, "input") > paragraphs / 3:
        return True  # a form
    if st.text < _MIN_PARAGRAPH and el.find(".//table") is None and images == 0:
        return st.text == 0 or weight < 0
    if tag == "table":
        return False
    return ld > (0.5 if weight >= 25 else 0.33)


def drop(el: _Element) -> None:
    """Remove an element but keep the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
