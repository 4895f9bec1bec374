"""Page metadata: title, author, date, site name, language, canonical and original source."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
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
_SITE_SUFFIX = re.compile(r"\s+[|–—\-:·•»]\s+[^|–—\-:·•»]{2,60}$")


def text_of(el: _Element) -> str:
    return _WS.sub(" ", el.text_content()).strip()


def host_of(url: str | None) -> str:
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


def _title(root: _Element, meta: dict[str, str], article: dict[str, Any]) -> str | None:
    og = meta.get("og:title") or meta.get("twitter:title")
    headline = article.get("headline") if isinstance(article.get("headline"), str) else None
    page_title = root.findtext(".//title")
    page_title = _WS.sub(" ", page_title).strip() if page_title else None
    h1s = [t for t in (text_of(h) for h in root.iter("h1")) if t]
    references = [t.lower() for t in (og, headline, page_title) if t]
    for h1 in h1s:
        if any(h1.lower() in ref or ref in h1.lower() for ref in references):
            return h1
    for candidate in (og, headline):
        if candidate:
            return _WS.sub(" ", candidate).strip()
    if len(h1s) == 1:
        return h1s[0]
    if page_title:
        return _SITE_SUFFIX.sub("", page_title) or page_title
    return h1s[0] if h1s else None


def _author(root: _Element, meta: dict[str, str], article: dict[str, Any]) -> str | None:
    names = _names(article.get("author"))
    if not names:
        for key in ("author", "article:author", "dc.creator", "byl", "parsely-author",
                    "sailthru.author"):
            value = meta.get(key)
            if value and not value.startswith("http"):
                names = [re.sub(r"^by\s+", "", value, flags=re.IGNORECASE)]
                break
    if not names:
        for el in root.xpath('.//*[@rel="author" or @itemprop="author"]'):
            text = re.sub(r"^by\s+", "", text_of(el), flags=re.IGNORECASE)
            if 0 < len(text) < 80:
                names = [text]
                break
    unique = list(dict.fromkeys(n for n in names if n))
    return ", ".join(unique) or None


def _published(root: _Element, meta: dict[str, str], article: dict[str, Any]) -> str | None:
    for value in (article.get("datePublished"), article.get("dateCreated")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    for key in ("article:published_time", "og:published_time", "datepublished",
                "publishdate", "pubdate", "date", "dc.date", "dc.date.issued",
                "sailthru.date", "parsely-pub-date"):
            if meta.get(key):
                return meta[key]
    for time in root.iter("time"):
        if time.get("datetime"):
            return time.get("datetime", "").strip() or None
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


def _source_blocks(root: _Element) -> Iterator[_Element]:
    """Short elements that may name the original: innermost first, in document order."""
    for el in root.iter("p", "div", "li", "span", "em", "small", "footer", "section", "aside",
                        "strong", "i", "b", "h6", "h5", "h4", "cite"):
        if el.find(".//a") is None:
            continue
        yield el


def _names_source(text: str) -> bool:
    """Whether a short block's text says that it names the original.

    >>> _names_source("Source: Reuters"), _names_source("Via The Verge")
    (True, True)
    >>> _names_source("Sources close to the minister said the plan was dropped on Monday.")
    False
    """
    label = _SOURCE_LABEL.match(text + " ")
    if label:
        # "Source: …" always; "Source …" / "Via …" without a colon only in a short line
        return bool(label.group("sep").strip()) or len(text) <= 60
    return bool(_SOURCE_LEAD.match(text + " ") or _SOURCE_FRAME.search(text))


def _source_link(root: _Element, page_url: str | None, body_text: str,
                 title: str | None) -> SourceLink | None:
    """The last element that names an original, with the link it gives.

    The link is the element's first link to another site with a path (the copied
    article); the name is the text of a link to that site's home page ("The post X
    appeared first on <a>Site</a>"), else a short anchor text, else the site's name as
    the page writes it.
    """
    found: SourceLink | None = None
    for el in _source_blocks(root):
        text = text_of(el)
        if not text or len(text) > 300 or not _names_source(text):
            continue
        links = []
        for a in el.iter("a"):
            href = safe_href(a.get("href"), page_url)
            if href and href.startswith("http") and not same_site(href, page_url):
                links.append((href, text_of(a)))
        if not links:
            continue
        deep = [(h, t) for h, t in links if urlsplit(h).path.strip("/")]
        href, anchor = (deep or links)[0]
        homes = [t for h, t in links if not urlsplit(h).path.strip("/") and same_site(h, href)]
        name = next((n for n in map(_anchor_name, homes) if n), None)
        if name is None and not (title and anchor.strip().lower() == title.strip().lower()):
            name = _anchor_name(anchor)
        found = SourceLink(href, name, text)
    if found is None:
        return None
    return SourceLink(found.url, found.name or site_label(found.url, body_text), found.text)


def _anchor_name(anchor: str) -> str | None:
    anchor = anchor.strip(" .,:;\"'“”")
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
    body_text = text_of(body) if body is not None else ""
    title = _title(root, meta, article)
    source = _source_link(root, page_url, body_text, title)
    if source is None:
        for obj in [article, *objects]:
            based = _url_of(obj.get("isBasedOn") or obj.get("isBasedOnUrl"))
            href = safe_href(based, page_url) if based else None
            if href and href.startswith("http") and not same_site(href, page_url):
                source = SourceLink(href, site_label(href, body_text), "")
                break
    if source is None and url:
        for other in (canonical, safe_href(meta.get("og:url"), url)):
            if other and other.startswith("http") and not same_site(other, url):
                source = SourceLink(other, site_label(other, body_text), "")
                break
    site_name = meta.get("og:site_name") or next(iter(_names(article.get("publisher"))), None)
    site_name = site_name or meta.get("application-name")
    return Metadata(
        title=title,
        author=_author(root, meta, article),
        published=_published(root, meta, article),
        site_name=site_name,
        language=_language(root, meta),
        canonical_url=canonical,
        source=source,
    )
