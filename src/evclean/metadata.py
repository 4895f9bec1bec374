"""Page metadata: title, author, date, site name, language, canonical and original source."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from lxml.etree import _Element

from .htmlblocks import safe_href

_ARTICLE_TYPES = {
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "techarticle",
    "scholarlyarticle", "socialmediaposting", "liveblogposting", "report", "posting",
}
_WS = re.compile(r"\s+")

# Phrases by which a page names the page it copied. Each must stand at the start of a
# short block ("Source: …", "Originally published at …") or frame its link ("The post
# … appeared first on …").
_SOURCE_LABEL = re.compile(
    r"""^\W{0,3}(?:(?:original\s+)?sources?(?:\s+(?:link|url|article))?|via)
        (?P<sep>\s*[:：\-–—|]\s*|\s+)""",
    re.IGNORECASE | re.VERBOSE,
)
_SOURCE_LEAD = re.compile(
    r"""^\W{0,3}(?:
        (?:read|see|view)\s+(?:the\s+)?(?:original|full)\s+(?:article|story|post|report)
        (?:\s+(?:at|on|here))?
      | (?:this\s+(?:article|story|post|piece)\s+(?:was\s+)?)?
        (?:originally|first)\s+(?:published|posted|appeared)(?:\s+(?:at|on|in|by))?
    )\s*[:：\-–—]?\s""",
    re.IGNORECASE | re.VERBOSE,
)
_SOURCE_FRAME = re.compile(
    r"""(?:appeared|was\s+(?:first\s+)?published|was\s+originally\s+published)\s+first\s+(?:on|at|in)
      | (?:first|originally)\s+(?:appeared|published|posted)\s+(?:on|at|in)
      | (?:this|the)\s+(?:article|story|post)\s+(?:was\s+)?(?:republished|reproduced)\s+from""",
    re.IGNORECASE | re.VERBOSE,
)
_GENERIC_ANCHORS = re.compile(
    r"^(?:here|link|source|source link|original|original article|read more|click here|"
    r"this link|full story|full article|more|website|article)$",
    re.IGNORECASE,
)
_URLISH = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ")
_BY = re.compile(r"^\s*(?:by|from|von|par|por|di|door)\s*[:\s]\s*", re.IGNORECASE)
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](\d\d)[/-](\d\d)(?:/|\b)")
_SITE_SUFFIX = re.compile(r"\s+[|–—\-:·•»]\s+[^|–—\-:·•»]{2,60}$")


def text_of(el: _Element) -> str:
    return _WS.sub(" ", el.text_content()).strip()


@lru_cache(maxsize=4096)
def host_of(url: str | None) -> str:
    """The host of a URL without ``www.`` ("" if it has none); cached, pages repeat links."""
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def same_site(a: str | None, b: str | None) -> bool:
    """Whether two URLs are on one site (one host is the other or a subdomain of it)."""
    ha, hb = host_of(a), host_of(b)
    if not ha or not hb:
        return True
    return ha == hb or ha.endswith("." + hb) or hb.endswith("." + ha)


def _meta(root: _Element) -> dict[str, str]:
    """``<meta>`` values by lowercased name or property; the first one wins."""
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop")
               or meta.get("http-equiv") or "").strip().lower()
        value = (meta.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
    return found


def _json_ld(root: _Element) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, ``@graph`` members included."""
    objects: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        raw = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|\]\]>\s*$", "", raw)
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                objects.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))
    return objects


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def _names(value: Any) -> list[str]:
    """Names in a JSON-LD person/organization value (string, object or list)."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        name = value.get("name")
        return _names(name) if isinstance(name, (str, list)) else []
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _url_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _url_of(value.get("url") or value.get("@id"))
    if isinstance(value, list) and value:
        return _url_of(value[0])
    return None


@dataclass(frozen=True)
class SourceLink:
    """The original a copied page names: where it is and which element said so."""

    url: str
    name: str | None
    text: str  # the text of the block that named it ("" for <link>/JSON-LD sources)


@dataclass(frozen=True)
class Metadata:
    title: str | None
    author: str | None
    published: str | None
    site_name: str | None
    language: str | None
    canonical_url: str | None
    source: SourceLink | None


def _clean(value: str | None) -> str | None:
    """A metadata value with entities decoded (often escaped twice) and spaces collapsed."""
    if not value:
        return None
    for _ in range(2):
        if "&" not in value:
            break
        value = html.unescape(value)
    value = _WS.sub(" ", value).strip()
    return value or None


def _covers(short: str, long: str) -> bool:
    """Whether ``short`` is ``long`` or most of it (``long`` = ``short`` + a site suffix)."""
    a, b = short.casefold(), long.casefold()
    return a == b or (a in b and len(a) >= 0.6 * len(b))


def _strip_site(title: str, site: str | None) -> str:
    """``title`` without a trailing (or leading) site name: "Story | Site" -> "Story"."""
    if site:
        for sep in _TITLE_SEPARATORS:
            head, _, tail = title.rpartition(sep)
            if head and tail.strip().casefold() == site.casefold():
                return head.strip()
            head, _, tail = title.partition(sep)
            if tail and head.strip().casefold() == site.casefold():
                return tail.strip()
    return title


def _title(root: _Element, meta: dict[str, str], article: dict[str, Any],
           site: str | None) -> str | None:
    headline = _clean(article.get("headline")) if isinstance(article.get("headline"), str) else None
    og = _clean(meta.get("og:title")) or _clean(meta.get("twitter:title"))
    page_title = _clean(root.findtext(".//title"))
    h1s = [t for t in (text_of(h) for h in root.iter("h1")) if t]
    references = [t for t in (headline, og, page_title) if t]
    for h1 in h1s:  # the visible headline, when the page's own data agrees
        if any(_covers(h1, ref) or _covers(ref, h1) for ref in references):
            return h1
    for candidate in (headline, og):
        if candidate:
            return _strip_site(candidate, site)
    if page_title:
        stripped = _strip_site(page_title, site)
        if stripped != page_title:
            return stripped
    if len(h1s) == 1:
        return h1s[0]
    if page_title:
        return _SITE_SUFFIX.sub("", page_title) or page_title
    return h1s[0] if h1s else None


def _site_from_title(page_title: str | None, headline: str | None) -> str | None:
    """The site name a <title> adds to the headline: "Story | Site" -> "Site"."""
    if not page_title:
        return None
    for sep in _TITLE_SEPARATORS:
        head, _, tail = page_title.rpartition(sep)
        tail = tail.strip()
        agrees = headline is None or _covers(headline, head.strip()) or _covers(
            head.strip(), headline
        )
        if head and 2 <= len(tail) <= 40 and len(tail) < len(head) and agrees:
            return tail
    return None


def _byline(root: _Element) -> str | None:
    """A name in a visible byline: an element marked author/byline holding a short text."""
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in (
            "meta", "link", "script", "style", "form", "label", "input", "textarea", "select"
        ):
            continue
        marks = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('rel') or ''} " \
                f"{el.get('itemprop') or ''}".lower()
        if "author" not in marks and "byline" not in marks:
            continue
        if any(t in marks for t in ("bio", "avatar", "image", "photo", "img", "desc")):
            continue
        text = text_of(el)
        text = _BY.sub("", text).strip(" ,|·-–—")
        text = re.split(r"\s+(?:[|·•]|and\s+more|updated|published|on\s+\w+\s+\d)", text,
                        maxsplit=1, flags=re.IGNORECASE)[0].strip(" ,|·-–—")
        if 3 <= len(text) <= 60 and not any(ch.isdigit() for ch in text):
            return text
    return None


def _author(root: _Element, meta: dict[str, str], article: dict[str, Any]) -> str | None:
    names = [n for n in (_clean(n) for n in _names(article.get("author"))) if n]
    if not names:
        for key in ("author", "article:author", "dc.creator", "byl", "parsely-author",
                    "sailthru.author"):
            value = _clean(meta.get(key))
            if value and not value.startswith("http"):
                names = [_BY.sub("", value)]
                break
    if not names:
        for el in root.xpath('.//*[@rel="author" or @itemprop="author"]'):
            text = _BY.sub("", text_of(el))
            if 0 < len(text) < 80:
                names = [text]
                break
    if not names:
        found = _byline(root)
        names = [found] if found else []
    unique = list(dict.fromkeys(n for n in names if n))
    return ", ".join(unique) or None


def _published(root: _Element, meta: dict[str, str], article: dict[str, Any],
               url: str | None) -> str | None:
    for value in (article.get("datePublished"), article.get("dateCreated")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    for key in ("article:published_time", "og:published_time", "datepublished",
                "publishdate", "pubdate", "date", "dc.date", "dc.date.issued",
                "sailthru.date", "parsely-pub-date"):
        if meta.get(key):
            return meta[key]
    for el in root.xpath('.//*[@itemprop="datePublished"]'):
        value = str(el.get("datetime") or el.get("content") or text_of(el)).strip()
        if value:
            return value
    times = [t for t in root.iter("time") if (t.get("datetime") or "").strip()]
    for time in times:  # a <time> marked as the publication date first
        marks = f"{time.get('class') or ''} {time.get('itemprop') or ''}".lower()
        if time.get("pubdate") is not None or "publish" in marks:
            return str(time.get("datetime", "")).strip()
    if times:
        return times[0].get("datetime", "").strip() or None
    m = _URL_DATE.search(url or "")
    if m:
        year, month, day = m.group(1), m.group(2), m.group(3)
        if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            return f"{year}-{month}-{day}"
    return None


def _language(root: _Element, meta: dict[str, str]) -> str | None:
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    lang = lang or meta.get("content-language") or meta.get("og:locale")
    if not lang:
        return None
    return lang.strip().replace("_", "-").split(",")[0] or None


def _canonical(root: _Element, meta: dict[str, str], base: str | None) -> str | None:
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            href = safe_href(link.get("href"), base)
            if href:
                return href
    return safe_href(meta.get("og:url"), base)


_SOURCE_TAGS = frozenset({"p", "div", "li", "span", "em", "small", "footer", "section",
                          "aside", "strong", "i", "b", "h6", "h5", "h4", "cite"})


def _external_links(root: _Element, page_url: str | None) -> Iterator[tuple[_Element, str]]:
    page_host = host_of(page_url)
    if not page_host:
        return  # without the page's own address no link can be told to be elsewhere
    for a in root.iter("a"):
        raw = (a.get("href") or "").strip()
        if raw[:4].lower() != "http" and not raw.startswith("//"):
            continue  # a relative link stays on the page's own site
        href = raw if raw[:7].lower() in ("http://", "https:/") else safe_href(raw, page_url)
        if not href or not href.startswith("http"):
            continue
        host = host_of(href)
        if not host or host == page_host or host.endswith("." + page_host) or (
            page_host.endswith("." + host)
        ):
            continue
        yield a, href


def names_source(text: str, anchors: Sequence[str] = ()) -> bool:
    """Whether a short block's text says that it names the original.

    A frame such as "first appeared on" counts only when one of the block's outside
    links (``anchors``) follows it: "It first appeared in 2014" names nothing.

    >>> names_source("Source: Reuters"), names_source("Via The Verge")
    (True, True)
    >>> names_source("Sources close to the minister said the plan was dropped on Monday.")
    False
    >>> names_source("The post Story appeared first on Origin.", ["Origin"])
    True
    >>> names_source("The camp first appeared in 2014, near the Berm.", ["the Berm"])
    False
    """
    label = _SOURCE_LABEL.match(text + " ")
    if label:
        # "Source: …" always; "Source …" / "Via …" without a colon only in a short line
        return bool(label.group("sep").strip()) or len(text) <= 60
    if _SOURCE_LEAD.match(text + " "):
        return True
    return any(anchor and text[m.end():].lstrip(" \t\"'“”‘’").startswith(anchor)
               for m in _SOURCE_FRAME.finditer(text) for anchor in anchors)


def _document_position(el: _Element) -> tuple[int, ...]:
    """A key that sorts elements of one tree in document order."""
    path = []
    child = el
    for parent in el.iterancestors():
        path.append(parent.index(child))
        child = parent
    return tuple(reversed(path))


def _short_text_of(el: _Element, limit: int) -> str:
    """``text_of(el)``, or its raw text unnormalized when that is surely over ``limit``.

    Normalizing white space is the costly part for a large element (say the body, where
    a climb from a link ends), and it cannot bring more than ``limit`` characters that
    are not white space under ``limit``.
    """
    raw: str = el.text_content()
    if len(raw) > limit and len(raw) - sum(map(raw.count, " \n\t\r\xa0")) > limit:
        return raw
    return _WS.sub(" ", raw).strip()


def _source_link(root: _Element, page_url: str | None, title: str | None) -> SourceLink | None:
    """The last short element that names an original, with the link it gives.

    Only elements around a link to another site can name an original, so the search
    climbs from those links while the text stays short, instead of reading every block.
    The link is the element's first link to another site with a path (the copied
    article); the name is the text of a link to that site's home page ("The post X
    appeared first on <a>Site</a>"), else a short anchor text (not the title), else
    None (the caller names the site).
    """
    texts: dict[_Element, str] = {}
    links_in: dict[_Element, list[tuple[str, str]]] = {}
    for a, href in _external_links(root, page_url):
        anchor = text_of(a)
        for el in a.iterancestors():
            text = texts.get(el)
            if text is None:
                text = texts[el] = _short_text_of(el, 300)
            if len(text) > 300:
                break
            if isinstance(el.tag, str) and el.tag.lower() in _SOURCE_TAGS:
                links_in.setdefault(el, []).append((href, anchor))
    named = [el for el, links in links_in.items()
             if texts[el] and names_source(texts[el], [t for _, t in links])]
    if not named:
        return None
    el = max(named, key=_document_position)
    links = links_in[el]
    deep = [(h, t) for h, t in links if urlsplit(h).path.strip("/")]
    href, anchor = (deep or links)[0]
    homes = [t for h, t in links if not urlsplit(h).path.strip("/") and same_site(h, href)]
    name = next((n for n in map(_anchor_name, homes) if n), None)
    if name is None and not (title and anchor.strip().lower() == title.strip().lower()):
        name = _anchor_name(anchor)
    return SourceLink(href, name, texts[el])


def _anchor_name(anchor: str) -> str | None:
    anchor = _SOURCE_LABEL.sub("", _SOURCE_LEAD.sub("", anchor + " ")).strip(" .,:;\"'“”")
    if not anchor or len(anchor) > 60 or _URLISH.match(anchor) or _GENERIC_ANCHORS.match(anchor):
        return None
    return anchor


def site_label(url: str, text: str = "") -> str:
    """A display name for the site of ``url``: its name as the page writes it, or the host.

    >>> site_label("https://cleantechnica.com/a/", "Subscribe to CleanTechnica’s daily")
    'CleanTechnica'
    >>> site_label("https://www.example.org/x")
    'example.org'
    """
    host = host_of(url)
    labels = host.split(".")
    core = labels[-2] if len(labels) >= 2 else host
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in ("co", "com", "org", "net"):
        core = labels[-3]
    if len(core) >= 3 and text:
        spellings = Counter(
            m.group(0) for m in re.finditer(rf"\b{re.escape(core)}\b", text, re.IGNORECASE)
        )
        cased = [(n, s) for s, n in spellings.items() if s != s.lower()]
        if cased:
            return max(cased)[1]
    return host


def read_metadata(root: _Element, url: str | None) -> Metadata:
    """Read every piece of metadata from a parsed whole page."""
    meta = _meta(root)
    objects = _json_ld(root)
    article = next((o for o in objects if _types(o) & _ARTICLE_TYPES), {})
    canonical = _canonical(root, meta, url)
    page_url = url or canonical
    body = root.find(".//body")

    def label(url: str) -> str:
        return site_label(url, text_of(body) if body is not None else "")

    site_name = _clean(meta.get("og:site_name")) or _clean(
        next(iter(_names(article.get("publisher"))), None)
    ) or _clean(meta.get("application-name"))
    headline = article.get("headline")
    site_name = site_name or _site_from_title(
        _clean(root.findtext(".//title")),
        _clean(headline) if isinstance(headline, str) else _clean(meta.get("og:title")),
    )
    title = _title(root, meta, article, site_name)
    source = _source_link(root, page_url, title)
    if source is not None and not source.name:
        source = SourceLink(source.url, label(source.url), source.text)
    if source is None:
        for obj in [article, *objects]:
            based = _url_of(obj.get("isBasedOn") or obj.get("isBasedOnUrl"))
            href = safe_href(based, page_url) if based else None
            if href and href.startswith("http") and not same_site(href, page_url):
                source = SourceLink(href, label(href), "")
                break
    if source is None and url:
        for other in (canonical, safe_href(meta.get("og:url"), url)):
            if other and other.startswith("http") and not same_site(other, url):
                # the page's own metadata describes the site it declares canonical
                source = SourceLink(other, site_name or label(other), "")
                break
    return Metadata(
        title=title,
        author=_author(root, meta, article),
        published=_published(root, meta, article, url),
        site_name=site_name,
        language=_language(root, meta),
        canonical_url=canonical,
        source=source,
    )
