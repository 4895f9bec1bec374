"""The pipeline: named stages in order, from page text to a finished article.

fetch (I/O, in :mod:`evclean.fetch`) -> extract -> repair -> strip -> degarble -> render.
Each transforming stage is ``run(doc, config) -> doc`` and leaves a record of what it
changed; ``config.skip`` switches stages off by name.
"""

from __future__ import annotations

from collections.abc import Callable

from . import extract, render, repair, strip
from .config import Config
from .document import Document
from .fetch import Page, bytes_to_text
from .render import Article

Stage = Callable[[Document, Config], Document]

#: The transforming stages, in order. degarble goes after strip.
TRANSFORMS: tuple[tuple[str, Stage], ...] = (
    (extract.NAME, extract.run),
    (repair.NAME, repair.run),
    (strip.NAME, strip.run),
)


def run(doc: Document, config: Config) -> Article:
    """Run every stage not skipped over a document read from a page."""
    for name, stage in TRANSFORMS:
        if name not in config.skip:
            doc = stage(doc, config)
    return render.run(doc)


def clean_page(page: Page, config: Config) -> Article:
    """Clean a page that :mod:`evclean.fetch` has read."""
    return run(Document(html=page.text, url=page.url), config)


def clean(html: str | bytes, url: str | None = None, **options: object) -> Article:
    """Clean one page of HTML into an :class:`~evclean.render.Article`.

    ``html`` may be text or undecoded bytes (decoded like a file: BOM, ``<meta
    charset>``, detection). ``url`` is the page's address: links are made absolute
    against it and it tells a copy from its original. ``options`` are the fields of
    :class:`~evclean.config.Config`, for example ``skip={"repair"}``.

    Raises :class:`~evclean.errors.InputError` for bytes that are not a page and
    :class:`~evclean.errors.NoArticleError` for a page with no article.
    """
    config = Config.from_options(**options)
    if isinstance(html, bytes):
        html = bytes_to_text(html, url or "<input>")
    return run(Document(html=html, url=url), config)
