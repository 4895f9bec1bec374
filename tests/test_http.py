"""Fetching URLs against a real HTTP server on 127.0.0.1, started by these tests.

Every behaviour of the cases table (tests/fixtures/http/cases.json) is one test: the happy
paths print the article, and each bad input gives exactly one line
``Error: <url>: <reason>`` on stderr and exit status 1. No test touches any other address:
name resolution is replaced by one that knows only 127.0.0.1 and localhost, which is
also how the DNS failure case is made.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import socket
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from evclean.cli import main

CASES = json.loads((FIXTURES / "http" / "cases.json").read_text(encoding="utf-8"))
PARAGRAPHS = [
    "The council met on Tuesday to discuss the new library, which has been delayed twice "
    "since the plans were first drawn up three years ago.",
    "Residents who spoke at the meeting asked for longer opening hours and a reading room "
    "for children, and several offered to volunteer at weekends.",
    "The building will open next spring if the last inspection passes, the mayor said, "
    "adding that the budget had not grown since the second delay.",
    "A final vote on the opening hours is expected at the next meeting, in four weeks.",
]


def article(title: str = "A plain story", paragraphs: list[str] | None = None,
            head: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in (paragraphs or PARAGRAPHS))
    return (f"<!doctype html><html><head>{head}<title>{title}</title></head><body>"
            f"<article><h1>{title}</h1>{body}</article></body></html>")


PAGE = article().encode("utf-8")
# Windows-1252 bytes: é, curly quotes and an em dash are not valid UTF-8 this way.
CP1252 = article("Café society", [
    "“quoted” — naïve words in a café, said the waiter, who has worked there for years.",
    *PARAGRAPHS,
]).encode("cp1252")
DEEP = article(paragraphs=PARAGRAPHS).replace(
    "</article>", "<div>" * 100_000 + "deep" + "</div>" * 100_000 + "</article>").encode()
BOMB = gzip.compress(b"<p>" + b"a" * 200_000_000, compresslevel=9)


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send(self, status: int, body: bytes = b"", ctype: str | None = "text/html",
             headers: dict[str, str] | None = None, length: bool = True) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, status: int, location: str) -> None:
        self.send(status, b"", headers={"Location": location})

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        self.server.hits[path] += 1
        hits = self.server.hits[path]
        html = "text/html; charset=utf-8"
        if path == "/page":
            self.send(200, PAGE, html)
        elif path == "/gzip":
            self.send(200, gzip.compress(PAGE), html, {"Content-Encoding": "gzip"})
        elif path == "/deflate":
            self.send(200, zlib.compress(PAGE), html, {"Content-Encoding": "deflate"})
        elif path == "/deflate-raw":
            raw = zlib.compressobj(wbits=-15)
            body = raw.compress(PAGE) + raw.flush()
            self.send(200, body, html, {"Content-Encoding": "deflate"})
        elif m := re.fullmatch(r"/redirect/(\d+)", path):
            self.redirect(int(m.group(1)), "/page")
        elif path == "/relative/start":
            self.redirect(302, "../page")
        elif m := re.fullmatch(r"/chain/(\d+)", path):
            n = int(m.group(1))
            self.redirect(302, f"/chain/{n - 1}" if n > 0 else "/page")
        elif path == "/loop/a":
            self.redirect(302, "/loop/b")
        elif path == "/loop/b":
            self.redirect(302, f"http://127.0.0.1:{self.server.server_port}/loop/a")
        elif path == "/to-file":
            self.redirect(302, "file:///etc/passwd")
        elif path == "/to-ftp":
            self.redirect(301, "ftp://127.0.0.1/x")
        elif path == "/charset/header":
            self.send(200, CP1252, "text/html; charset=windows-1252")
        elif path == "/charset/lies":
            self.send(200, CP1252, "text/html; charset=utf-8")
        elif path == "/charset/none":
            self.send(200, CP1252, "text/html")
        elif path == "/nul":
            self.send(200, PAGE.replace(b"council", b"coun\x00cil\x00").replace(
                b"<p>", b"<p>\x00"), html)
        elif path == "/deep":
            self.send(200, DEEP, html)
        elif path == "/ua":
            agent = self.headers.get("User-Agent", "")
            self.send(200, article(paragraphs=[f"Your agent is {agent}.", *PARAGRAPHS])
                      .encode(), html)
        elif m := re.fullmatch(r"/status/(\d+)", path):
            after = query.get("after", [None])[0]
            self.send(int(m.group(1)), b"<p>no</p>", html,
                      {"Retry-After": after} if after else None)
        elif m := re.fullmatch(r"/flaky/(\d+)", path):
            if hits == 1:
                status = int(m.group(1))
                self.send(status, b"busy", "text/plain",
                          {"Retry-After": "1"} if status == 429 else None)
            else:
                self.send(200, PAGE, html)
        elif path == "/always429":
            self.send(429, b"slow down", "text/plain", {"Retry-After": "1"})
        elif path == "/type/pdf":
            self.send(200, b"%PDF-1.7\n" + bytes(range(256)) * 10, "application/pdf")
        elif path == "/type/png":
            self.send(200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "image/png")
        elif path == "/type/json":
            self.send(200, b'{"title": "not a page"}', "application/json")
        elif path == "/type/octet-pdf":
            self.send(200, b"%PDF-1.7\n" + bytes(range(256)) * 10, "application/octet-stream")
        elif path == "/type/octet-html":
            self.send(200, PAGE, "application/octet-stream")
        elif path == "/big":
            self.send(200, b"<p>" + b"x" * (2_000_000 - 3), html)
        elif path == "/big-unsized":
            self.send(200, b"<p>" + b"x" * 3_000_000, html, length=False)
            self.close_connection = True
        elif path == "/bomb":
            self.send(200, BOMB, html, {"Content-Encoding": "gzip"})
        elif path == "/empty":
            self.send(200, b"", html)
        elif path == "/no-article":
            self.send(200, b"<html><body><nav><a href='/'>Home</a></nav></body></html>", html)
        elif path == "/stall":
            self.send_response(200)
            self.send_header("Content-Type", html)
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE[: len(PAGE) // 2])
            self.wfile.flush()
            time.sleep(3)
        elif path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", html)
            self.end_headers()
            for byte in PAGE[:40]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.05)
        elif m := re.fullmatch(r"/batch/(\d+)", path):
            n = int(m.group(1))
            self.send(200, article(f"Story number {n}").encode(), html)
        else:
            self.send(404, b"not found", "text/plain")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    hits: Counter[str]

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up early (as evclean does at a size cap) is expected


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server(("127.0.0.1", 0), Handler)
    srv.hits = Counter()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def stuck_port() -> Iterator[int]:
    """A port whose listen queue is full: a new connection is never accepted (connect
    timeout)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        c = socket.socket()
        c.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            c.connect(("127.0.0.1", port))
        fillers.append(c)
    time.sleep(0.1)
    yield port
    for c in fillers:
        c.close()
    listener.close()


_real_getaddrinfo = socket.getaddrinfo


@pytest.fixture(autouse=True)
def local_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolve only 127.0.0.1 and localhost; any other name fails as an unknown host."""
    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in ("127.0.0.1", "localhost"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return _real_getaddrinfo("127.0.0.1", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                "all_proxy"):
        monkeypatch.delenv(var, raising=False)


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str, float]:
    started = time.monotonic()
    result = CliRunner().invoke(main, list(args), input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr, time.monotonic() - started


def fill(text: str, base: str, closed: int, stuck: int) -> str:
    return (text.replace("{base}", base).replace("{closed}", f"http://127.0.0.1:{closed}")
            .replace("{stuck}", f"http://127.0.0.1:{stuck}"))


@pytest.fixture
def urls(server: Server, closed_port: int, stuck_port: int) -> Any:
    base = f"http://127.0.0.1:{server.server_port}"

    def url_of(case: dict[str, Any]) -> str:
        if "url" in case:
            return fill(case["url"], base, closed_port, stuck_port)
        return base + case["path"]

    url_of.base = base  # type: ignore[attr-defined]
    return url_of


@pytest.mark.parametrize("case", CASES["ok"], ids=[c["id"] for c in CASES["ok"]])
def test_fetch_succeeds(case: dict[str, Any], urls: Any, server: Server) -> None:
    server.hits.clear()
    url = urls(case)
    code, out, err, seconds = run(url, *case.get("args", []))
    assert (code, err) == (0, "")
    for text in case["has"]:
        assert text in out
    for text in case.get("lacks", []):
        assert text not in out
    assert seconds >= case.get("min_seconds", 0)


@pytest.mark.parametrize("case", CASES["fail"], ids=[c["id"] for c in CASES["fail"]])
def test_fetch_fails_with_one_clear_line(case: dict[str, Any], urls: Any,
                                         server: Server) -> None:
    server.hits.clear()
    url = urls(case)
    code, out, err, seconds = run(url, "--backoff", "0.01", *case.get("args", []))
    reason = case["error"].replace("{base}", urls.base)
    assert (code, out) == (1, "")
    assert err == f"Error: {url}: {reason}\n"
    if "requests" in case:
        assert server.hits[urlsplit(url).path] == case["requests"]
    assert seconds >= case.get("min_seconds", 0)


def test_every_bad_url_fails_alone_and_the_batch_completes(urls: Any) -> None:
    """All the failing cases and two good pages in one run: each failure is one line,
    the good pages are still printed, in input order, and the exit status is 1."""
    bad = [c for c in CASES["fail"] if not c.get("args") and c["id"] != "429-retry-after-honoured"]
    inputs = [urls({"path": "/batch/1"}), *(urls(c) for c in bad), urls({"path": "/batch/2"})]
    code, out, err, _ = run("--backoff", "0.01", "--format", "jsonl", *inputs)
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [r["input"] for r in records] == inputs
    assert records[0]["title"] == "Story number 1" and records[-1]["title"] == "Story number 2"
    lines = err.splitlines()
    assert lines[-1] == f"2 cleaned, {len(bad)} failed"
    expected = [f"Error: {urls(c)}: {c['error'].replace('{base}', urls.base)}" for c in bad]
    assert lines[:-1] == expected
    assert [r["error"] for r in records[1:-1]] == [e[len("Error: "):] for e in expected]


def test_url_list_from_stdin_with_comments(urls: Any) -> None:
    listing = "\n".join([
        "# stories to clean", "", urls({"path": "/batch/7"}), "  " + urls({"path": "/batch/8"}),
        "#" + urls({"path": "/batch/9"}),
    ]).encode()
    code, out, err, _ = run("-i", "-", "--format", "jsonl", stdin=listing)
    assert (code, err) == (0, "2 cleaned, 0 failed\n")
    assert [json.loads(x)["title"] for x in out.splitlines()] == ["Story number 7",
                                                                   "Story number 8"]


def test_urls_into_out_dir_get_safe_names_and_resume(urls: Any, tmp_path: Path,
                                                     server: Server) -> None:
    out = tmp_path / "clean"
    inputs = [urls({"path": "/batch/1"}), urls({"path": "/batch/2?x=../../etc"}),
              urls({"path": "/batch/%2e%2e/%2e%2e/escape"}), urls({"path": "/"})]
    code, _, err, _ = run("--out-dir", str(out), *inputs)
    host = f"127.0.0.1_{server.server_port}"
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    assert names[0] == f"{host}/batch/1.md"
    assert re.fullmatch(rf"{host}/batch/2-[0-9a-f]{{10}}\.md", names[1])
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))
    # the last two are a 404 page (at /) and a path climbing out, which the server 404s
    assert code == 1 and err.count("Error: ") == 2
    server.hits.clear()
    code, _, err, _ = run("--out-dir", str(out), *inputs[:2])
    assert (code, err) == (0, "0 cleaned, 0 failed, 2 skipped\n")
    assert sum(server.hits.values()) == 0  # nothing fetched again
    code, _, err, _ = run("--out-dir", str(out), "--force", *inputs[:2])
    assert (code, err) == (0, "2 cleaned, 0 failed\n")


def test_per_host_limit_holds(urls: Any, server: Server) -> None:
    """Two at a time to one host, even with many threads: the server never sees three."""
    active = {"now": 0, "max": 0}
    lock = threading.Lock()
    original = Handler.do_GET

    def counting(self: Handler) -> None:
        with lock:
            active["now"] += 1
            active["max"] = max(active["max"], active["now"])
        time.sleep(0.05)  # the client waits for its answer meanwhile
        with lock:
            active["now"] -= 1
        original(self)

    Handler.do_GET = counting  # type: ignore[method-assign]
    try:
        inputs = [urls({"path": f"/batch/{i}"}) for i in range(12)]
        code, out, _, _ = run("--per-host", "2", "-j", "2", "--format", "jsonl", *inputs)
    finally:
        Handler.do_GET = original  # type: ignore[method-assign]
    assert code == 0 and len(out.splitlines()) == 12
    assert active["max"] == 2


def test_clean_url_api(urls: Any) -> None:
    import evclean
    from evclean.web import FetchError, FetchOptions

    article = evclean.clean_url(urls({"path": "/gzip"}))
    assert article.title == "A plain story"
    assert article.url == urls({"path": "/gzip"})
    with pytest.raises(FetchError, match=r"HTTP 404 Not Found$"):
        evclean.clean_url(urls({"path": "/status/404"}))
    with pytest.raises(FetchError, match=r"over the limit of 100 bytes"):
        evclean.clean_url(urls({"path": "/page"}), fetch=FetchOptions(max_bytes=100))


def test_clean_many_api_yields_every_result(urls: Any, tmp_path: Path) -> None:
    import evclean

    page = tmp_path / "local.html"
    page.write_text(article("A local story"), encoding="utf-8")
    inputs = [urls({"path": "/batch/3"}), str(page), urls({"path": "/status/410"})]
    results = {r.input.name: r for r in evclean.clean_many(inputs, jobs=2)}
    assert set(results) == set(inputs)
    assert results[inputs[0]].article is not None
    assert results[inputs[0]].article.title == "Story number 3"
    assert results[str(page)].article is not None
    assert results[inputs[2]].error == f"{inputs[2]}: HTTP 410 Gone"


def test_a_trickling_download_is_cut_off(urls: Any) -> None:
    """A server that keeps sending a byte now and then never trips the read timeout;
    the download's own deadline stops it."""
    import evclean
    from evclean.web import FetchError, FetchOptions

    started = time.monotonic()
    with pytest.raises(FetchError, match=r"/trickle: download took longer than 0.5 s$"):
        evclean.clean_url(urls({"path": "/trickle"}),
                          fetch=FetchOptions(read_timeout=0.3, max_seconds=0.5))
    assert time.monotonic() - started < 1.5
