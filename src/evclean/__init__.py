"""evclean: clean markdown, with its source link, from scraped and republished news pages.

    from evclean import clean
    article = clean(html, url="https://example.org/story")
    article.markdown, article.title, article.source_url, article.report
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .batch import Result, clean_many, clean_url
    from .config import Config
    from .degarble import degarble_text
    from .errors import EvcleanError, InputError, NoArticleError
    from .pipeline import clean
    from .render import Article
    from .web import FetchError, FetchOptions

__all__ = [
    "Article",
    "Config",
    "EvcleanError",
    "FetchError",
    "FetchOptions",
    "InputError",
    "NoArticleError",
    "Result",
    "__version__",
    "clean",
    "clean_many",
    "clean_url",
    "degarble_text",
]

# Imports are lazy so that `evclean --help` and `import evclean` start fast.
_LAZY = {
    "clean": "pipeline",
    "degarble_text": "degarble",
    "Article": "render",
    "Config": "config",
    "EvcleanError": "errors",
    "InputError": "errors",
    "NoArticleError": "errors",
    "clean_url": "batch",
    "clean_many": "batch",
    "Result": "batch",
    "FetchError": "web",
    "FetchOptions": "web",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'evclean' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
