"""fetch from the web: one http(s) URL -> a :class:`~evclean.fetch.Page`, politely and safely.

What a fetch does, in order:

- the URL is checked (http or https only, a host, a valid port) before any connection;
- redirects are followed by hand, up to a limit, and each target is checked again, so a
  redirect to ``file:``, a loop, or a chain that never ends is an error, not a crash;
- connection errors, 429 and 5xx are retried with exponential backoff; ``Retry-After`` is
  honoured up to :attr:`FetchOptions.max_wait` seconds, and a longer wait is an error;
- the content type is checked from the headers before the body is read;
- the body is read as a stream and decompressed here (gzip, deflate) with a hard cap on
  the decompressed size, so neither a huge body nor a gzip bomb ever sits in memory;
- the charset comes from the ``Content-Type`` header, checked against the bytes by
  :func:`evclean.fetch.decode` (a header that says UTF-8 over Windows-1252 bytes is caught).

httpx is imported only when a URL is fetched, so file-only runs do not pay for it.
"""

from __future__ import annotations

import email.utils
import errno
import hashlib
import re
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

from . import __version__
from .errors import InputError
from .fetch import BATCH_MAX_BYTES, Page, bytes_to_text
from .progress import one_line

if TYPE_CHECKING:
    import httpx

DEFAULT_USER_AGENT = (
    f"evclean/{__version__} (+https://pypi.org/project/evclean/; article cleaner)"
)
#: Body size cap, compressed and decompressed alike.
DEFAULT_MAX_BYTES = BATCH_MAX_BYTES
SCHEMES = ("http", "https")
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 507, 508, 509, 520, 521, 522, 523, 524})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Types a careless server may put on an HTML page: accepted if the body starts like HTML.
_MAYBE_HTML_TYPES = frozenset({"", "text/plain", "application/octet-stream", "text/xml",
                               "application/xml", "binary/octet-stream"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
_OPAQUE_SCHEMES = frozenset({"data", "javascript", "mailto", "about", "blob", "tel", "file",
                             "ftp", "ftps", "sftp", "ws", "wss", "gopher"})
_HOST = re.compile(r"^(?:[\w-]+\.)*[\w-]+\.?$", re.UNICODE)


class FetchError(InputError):
    """A URL could not be fetched or is not an HTML page."""


@dataclass(frozen=True)
class FetchOptions:
    """How URLs are fetched. Every wait and limit is bounded and configurable."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0  # seconds to open a connection
    read_timeout: float = 30.0  # seconds without a byte from the server
    max_redirects: int = 10
    retries: int = 2  # extra attempts after connection errors, 429 and 5xx
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    max_wait: float = 60.0  # the longest wait accepted, from backoff or Retry-After
    max_bytes: int = DEFAULT_MAX_BYTES
    per_host: int = 2  # requests at a time to one host
    max_seconds: float = 300.0  # the longest one download may take, however it trickles


def looks_like_url(arg: str) -> bool:
    """Whether a command-line input names a URL (of any scheme) rather than a file.

    >>> looks_like_url("https://example.org/a"), looks_like_url("ftp://x/y")
    (True, True)
    >>> looks_like_url("data:text/html,<p>x"), looks_like_url("pages/a.html")
    (True, False)
    >>> looks_like_url("C:/pages/a.html")
    False
    """
    m = _SCHEME.match(arg)
    if not m:
        return False
    return arg[m.end():].startswith("//") or m.group(1).lower() in _OPAQUE_SCHEMES


def check_url(url: str) -> str:
    """Return ``url`` if it is an http(s) URL that can be fetched, or raise :class:`FetchError`.

    The message says what is wrong (it does not repeat the URL).

    >>> check_url("https://example.org/a b")
    'https://example.org/a b'
    >>> check_url("file:///etc/passwd")
    Traceback (most recent call last):
    ...
    evclean.web.FetchError: unsupported scheme 'file' (only http and https URLs are fetched)
    """
    m = _SCHEME.match(url)
    scheme = m.group(1).lower() if m else ""
    if scheme not in SCHEMES:
        if not scheme:
            raise FetchError("invalid URL (no scheme)")
        raise FetchError(f"unsupported scheme {scheme!r} (only http and https URLs are fetched)")
    if re.search(r"[\x00-\x1f\x7f]", url):
        raise FetchError("invalid URL (contains control characters)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"invalid URL ({exc})") from None
    host = parts.hostname or ""
    if not host:
        raise FetchError("invalid URL (no host)")
    if port == 0:
        raise FetchError("invalid URL (port 0)")
    if ":" not in host and not _HOST.match(host):
        raise FetchError(f"invalid URL (bad host name {host!r})")
    return url


def url_relative_path(url: str) -> PurePosixPath:
    """A relative file path that names ``url`` in an out dir: host, then the URL path.

    The query, if any, becomes a short hash so that ``?page=1`` and ``?page=2`` differ.
    Each part is made safe later by :func:`evclean.batch.output_path`.

    >>> url_relative_path("https://example.org/news/2024/story.html")
    PurePosixPath('example.org/news/2024/story.html')
    >>> url_relative_path("http://example.org:8080/")
    PurePosixPath('example.org_8080/index')
    >>> str(url_relative_path("https://example.org/a/../b?id=3")).startswith("example.org/b-")
    True
    """
    parts = urlsplit(url)
    host = (parts.hostname or "host").strip(".") or "host"
    if parts.port:
        host = f"{host}_{parts.port}"
    segments: list[str] = []
    for raw in unquote(parts.path).split("/"):
        if raw in ("", "."):
            continue
        if raw == "..":
            if segments:
                segments.pop()
            continue
        segments.append(raw.replace("\\", "_"))
    if not segments or parts.path.endswith("/"):
        segments.append("index")
    if parts.query:
        digest = hashlib.sha1(parts.query.encode("utf-8", "replace")).hexdigest()[:10]
        last = segments[-1]
        suffix = re.search(r"(\.x?html?)$", last, re.IGNORECASE)
        stem = last[: suffix.start()] if suffix else last
        segments[-1] = f"{stem}-{digest}{suffix.group(1) if suffix else ''}"
    return PurePosixPath(host, *segments)


def _cause_chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _connect_reason(exc: BaseException, host: str) -> tuple[str, bool]:
    """A reason for a failed connection, and whether retrying may help."""
    for e in _cause_chain(exc):
        if isinstance(e, socket.gaierror):
            return f"cannot resolve host {host!r} (DNS lookup failed)", False
        if isinstance(e, ConnectionRefusedError) or (
            isinstance(e, OSError) and e.errno == errno.ECONNREFUSED
        ):
            return "connection refused", True
        if isinstance(e, ConnectionResetError):
            return "connection reset by the server", True
    text = str(exc)
    if "Name or service not known" in text or "nodename nor servname" in text:
        return f"cannot resolve host {host!r} (DNS lookup failed)", False
    if "Connection refused" in text:
        return "connection refused", True
    return f"cannot connect ({text or type(exc).__name__})", True


def _retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date).

    >>> _retry_after("3", 0.0), _retry_after("bogus", 0.0), _retry_after(None, 0.0)
    (3.0, None, None)
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


def _media_type(content_type: str) -> tuple[str, str | None]:
    """The media type and charset of a ``Content-Type`` header.

    >>> _media_type('Text/HTML; charset="Windows-1252"')
    ('text/html', 'Windows-1252')
    """
    head, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return head.strip().lower(), charset


class _HostLimiter:
    """At most ``limit`` requests at a time to one host."""

    def __init__(self, limit: int) -> None:
        self._limit = max(1, limit)
        self._lock = threading.Lock()
        self._hosts: dict[str, threading.Semaphore] = {}

    @contextmanager
    def hold(self, host: str) -> Iterator[None]:
        with self._lock:
            sem = self._hosts.setdefault(host, threading.BoundedSemaphore(self._limit))
        with sem:
            yield


class _Decoder:
    """Streaming decompression with a cap on the output size."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.cap = cap
        self.size = 0
        self._zlib: Any = None
        self._deflate = encoding == "deflate"
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self._deflate:
            self._zlib = zlib.decompressobj()

    def feed(self, data: bytes) -> bytes:
        if self._zlib is None:
            self.size += len(data)
            return data
        out: list[bytes] = []
        try:
            chunk = self._zlib.decompress(data, self.cap - self.size + 1)
        except zlib.error:
            if not (self._deflate and self.size == 0):
                raise
            # "deflate" is often sent raw, without its zlib header
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            self._deflate = False
            chunk = self._zlib.decompress(data, self.cap - self.size + 1)
        while True:
            self.size += len(chunk)
            out.append(chunk)
            if self.size > self.cap or not self._zlib.unconsumed_tail:
                break
            chunk = self._zlib.decompress(self._zlib.unconsumed_tail, self.cap - self.size + 1)
        return b"".join(out)


class Fetcher:
    """Fetches URLs with one shared connection pool; safe to use from many threads."""

    def __init__(self, options: FetchOptions | None = None) -> None:
        import httpx

        self.options = options or FetchOptions()
        o = self.options
        self._limiter = _HostLimiter(o.per_host)
        self._client = httpx.Client(
            follow_redirects=False,
            timeout=httpx.Timeout(o.read_timeout, connect=o.connect_timeout, pool=None),
            headers={
                "User-Agent": o.user_agent,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
                "Accept-Encoding": "gzip, deflate",
            },
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=32),
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, url: str) -> Page:
        """Fetch one page. Errors are :class:`FetchError` with a message naming ``url``."""
        try:
            return self._fetch(url)
        except FetchError as exc:
            raise FetchError(f"{url}: {exc}") from None

    def _fetch(self, url: str) -> Page:
        check_url(url)
        current = url
        seen = {url}
        for _ in range(self.options.max_redirects + 1):
            kind, value, charset = self._get(current)
            if kind == "body":
                assert isinstance(value, bytes)
                return self._page(url, current, value, charset)
            assert isinstance(value, str)
            target = urljoin(current, value)
            m = _SCHEME.match(target)
            if not m or m.group(1).lower() not in SCHEMES:
                scheme = m.group(1).lower() if m else "?"
                raise FetchError(f"redirect to unsupported scheme {scheme!r} ({target})")
            try:
                check_url(target)
            except FetchError as exc:
                raise FetchError(f"redirect to an {exc} ({target})") from None
            if target in seen:
                raise FetchError(f"redirect loop (back to {target})")
            seen.add(target)
            current = target
        raise FetchError(f"too many redirects (more than {self.options.max_redirects})")

    def _page(self, url: str, final: str, body: bytes, charset: str | None) -> Page:
        if not body.strip():
            raise FetchError("empty response body")
        try:
            text = bytes_to_text(body, url, declared=charset, max_bytes=self.options.max_bytes)
        except InputError as exc:
            reason = str(exc)
            prefix = f"{url}: "
            raise FetchError(reason[len(prefix):] if reason.startswith(prefix) else reason
                             ) from None
        return Page(name=url, text=text, url=final)

    def _get(self, url: str) -> tuple[str, bytes | str, str | None]:
        """One URL, with retries: ("body", bytes, charset) or ("redirect", location, None)."""
        import httpx

        o = self.options
        host = urlsplit(url).hostname or ""
        attempts = o.retries + 1
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            after = f" (after {attempt} attempts)" if attempt > 1 else ""
            wait = min(o.backoff * 2 ** (attempt - 1), o.max_wait)
            try:
                with self._limiter.hold(host), self._client.stream("GET", url) as response:
                    status = response.status_code
                    if status in _RETRY_STATUSES:
                        reason = _status_text(status, response.reason_phrase)
                        asked = _retry_after(response.headers.get("retry-after"), time.time())
                        if asked is not None and asked > o.max_wait:
                            raise FetchError(f"{reason}: the server asks to retry after "
                                             f"{asked:g} s, over the limit of {o.max_wait:g} s")
                        if last:
                            raise FetchError(reason + after)
                        if asked is not None:
                            wait = asked
                    elif status in _REDIRECT_STATUSES:
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError(f"HTTP {status} redirect with no Location header")
                        return "redirect", location.strip(), None
                    elif status >= 300:
                        raise FetchError(_status_text(status, response.reason_phrase))
                    else:
                        body, charset = self._read(response)
                        return "body", body, charset
            except httpx.ConnectTimeout:
                if last:
                    raise FetchError(f"connect timeout after {o.connect_timeout:g} s{after}"
                                     ) from None
            except httpx.ReadTimeout:
                raise FetchError(f"read timeout (no data for {o.read_timeout:g} s)") from None
            except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError) as exc:
                reason, retry = _connect_reason(exc, host)
                if isinstance(exc, httpx.RemoteProtocolError):
                    reason = f"the server broke the connection ({exc})"
                if last or not retry:
                    raise FetchError(reason + (after if retry else "")) from None
            except httpx.TimeoutException as exc:
                raise FetchError(f"timeout ({exc})") from None
            except httpx.InvalidURL as exc:
                raise FetchError(f"invalid URL ({exc})") from None
            except httpx.HTTPError as exc:
                raise FetchError(f"HTTP error ({exc})") from None
            time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _read(self, response: httpx.Response) -> tuple[bytes, str | None]:
        o = self.options
        media, charset = _media_type(response.headers.get("content-type", ""))
        if media not in _HTML_TYPES and media not in _MAYBE_HTML_TYPES:
            raise FetchError(f"not an HTML page (content type {media})")
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > o.max_bytes:
            raise FetchError(f"response body is over the limit of {o.max_bytes:,} bytes "
                             f"(Content-Length {int(length):,})")
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
            raise FetchError(f"unsupported content encoding {encoding!r}")
        decoder = _Decoder(encoding, o.max_bytes)
        chunks: list[bytes] = []
        raw = 0
        deadline = time.monotonic() + o.max_seconds
        try:
            for chunk in response.iter_raw():
                if time.monotonic() > deadline:
                    raise FetchError(f"download took longer than {o.max_seconds:g} s")
                raw += len(chunk)
                if raw > o.max_bytes:
                    raise FetchError(f"response body is over the limit of {o.max_bytes:,} bytes")
                chunks.append(decoder.feed(chunk))
                if decoder.size > o.max_bytes:
                    raise FetchError(f"decompressed body is over the limit of "
                                     f"{o.max_bytes:,} bytes")
        except zlib.error as exc:
            raise FetchError(f"corrupt {encoding} body ({exc})") from None
        body = b"".join(chunks)
        if media in _MAYBE_HTML_TYPES and not _starts_like_html(body):
            raise FetchError(f"not an HTML page (content type {media or 'not given'})")
        return body, charset


def _status_text(status: int, phrase: str) -> str:
    """``HTTP 404 Not Found``: the standard phrase, whatever the server sent.

    >>> _status_text(410, "Whatever"), _status_text(599, "Odd")
    ('HTTP 410 Gone', 'HTTP 599 Odd')
    """
    from http import HTTPStatus

    with suppress(ValueError):
        phrase = HTTPStatus(status).phrase
    return f"HTTP {status} {one_line(phrase)}".rstrip()


def _starts_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") or head.startswith(b"\x1f\x8b") or b"<html" in head


def fetch_url(url: str, options: FetchOptions | None = None) -> Page:
    """Fetch one URL as a page (a convenience around :class:`Fetcher`)."""
    with Fetcher(options) as fetcher:
        return fetcher.fetch(url)


__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_USER_AGENT", "FetchError", "FetchOptions", "Fetcher",
           "check_url", "fetch_url", "looks_like_url", "url_relative_path"]
