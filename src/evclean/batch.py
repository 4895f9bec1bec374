"""Inputs and outputs of a run: expanding arguments, naming and writing output files,
and running a batch of inputs (files, folders, URLs, stdin) to results.

A batch reads files in worker processes, fetches URLs in threads (a few at a time per
host) and cleans every page in worker processes on all cores. Results come back in input
order (for stdout) or as they finish (for an out dir), holding only a bounded number of
pages in memory at once. Out-dir outputs are written atomically, and an output newer than
its input is skipped, so a killed batch resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import hashlib
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, BinaryIO

from .config import EXTENSIONS, Config
from .errors import InputError
from .fetch import Page, html_files, read_stream
from .render import Article

if TYPE_CHECKING:
    from .parallel import Job, Outcome, Task
    from .web import Fetcher, FetchOptions

STDIN = "-"
_INPUT_SUFFIX = re.compile(r"(\.x?html?)?(\.gz)?$", re.IGNORECASE)
_UNSAFE = re.compile(r"[^\w.\-]+")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
_MAX_PART = 120  # characters of one output path part, before its hash suffix
TEMP_SUFFIX = ".evclean-tmp"


@dataclass(frozen=True)
class Input:
    """One input: a file (``path``), a URL (``url``) or stdin (neither).

    ``relative`` names it in an out dir; ``error`` is set when it is known to fail
    before reading (a folder with no HTML, an invalid URL).
    """

    name: str
    path: Path | None
    relative: PurePath
    error: str | None = None
    url: str | None = None

    @property
    def kind(self) -> str:
        if self.url is not None:
            return "url"
        return "stdin" if self.path is None else "file"


@dataclass(frozen=True)
class Result:
    """The outcome of one input. ``error`` is ``"<input>: <reason>"`` when it failed."""

    input: Input
    article: Article | None = None
    error: str | None = None
    skipped: bool = False  # its output was up to date
    text: str | None = None  # the serialized result, for stdout formats
    output: Path | None = None  # the file written, in out-dir mode
    stripped: int = 0  # boilerplate blocks removed (changes of the strip stage)
    repairs: int = 0  # other changes

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def reason(self) -> str | None:
        """The error without the input's name in front."""
        if self.error is None:
            return None
        prefix = f"{self.input.name}: "
        return self.error[len(prefix):] if self.error.startswith(prefix) else self.error


def read_list(source: str) -> list[str]:
    """Inputs listed one a line in a file (``-`` for stdin); blank and ``#`` lines skipped."""
    if source == STDIN:
        text = sys.stdin.buffer.read().decode("utf-8-sig", errors="replace")
    else:
        text = Path(source).read_bytes().decode("utf-8-sig", errors="replace")
    entries = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            entries.append(line)
    return entries


def find_files(folder: Path, globs: Sequence[str] = ()) -> list[Path]:
    """Files below ``folder``: HTML files, or those matching any of ``globs``, sorted.

    A pattern is matched against the file name and against its path relative to the
    folder (``*`` crosses ``/``), so ``*.php`` and ``news/*`` both work.
    """
    if not globs:
        return html_files(folder)
    found = []
    for p in folder.rglob("*"):
        rel = p.relative_to(folder).as_posix()
        if any(fnmatch.fnmatch(p.name, g) or fnmatch.fnmatch(rel, g) for g in globs) and \
                p.is_file():
            found.append(p)
    return sorted(found)


def expand(args: list[str], globs: Sequence[str] = ()) -> list[Input]:
    """Inputs named on the command line: URLs, files, stdin, folders expanded to files."""
    inputs: list[Input] = []
    for arg in args:
        if arg == STDIN:
            inputs.append(Input("<stdin>", None, PurePath("stdin")))
            continue
        if _SCHEME.match(arg) and not os.path.lexists(arg):
            url = _url_input(arg)
            if url is not None:
                inputs.append(url)
                continue
        path = Path(arg)
        if path.is_dir():
            files = find_files(path, globs)
            if not files:
                what = " or ".join(globs) if globs else ".html or .htm"
                inputs.append(Input(arg, path, PurePath(path.name or "input"),
                                    error=f"{arg}: folder holds no {what} files"))
            inputs.extend(Input(str(f), f, f.relative_to(path)) for f in files)
        else:
            inputs.append(Input(arg, path, PurePath(path.name or "input")))
    return inputs


def _url_input(arg: str) -> Input | None:
    """The input for a URL argument (with its error if it cannot be fetched), or None
    if ``arg`` does not look like a URL after all."""
    from .web import FetchError, check_url, looks_like_url, url_relative_path

    if not looks_like_url(arg):
        return None
    try:
        check_url(arg)
    except FetchError as exc:
        return Input(arg, None, PurePath("url"), error=f"{arg}: {exc}", url=arg)
    return Input(arg, None, url_relative_path(arg), url=arg)


def _safe_part(part: str) -> str:
    part = _UNSAFE.sub("_", part).lstrip(".") or "_"
    if len(part) > _MAX_PART:
        digest = hashlib.sha1(part.encode("utf-8", "surrogateescape")).hexdigest()[:10]
        part = f"{part[:_MAX_PART]}-{digest}"
    return part


def output_path(item: Input, out_dir: Path, fmt: str) -> Path:
    """Where ``item``'s output goes in ``out_dir``: its relative name, format extension.

    Every part is made safe, so no name can climb out of ``out_dir``.

    >>> item = Input("../x/a b.html", None, PurePath("../x/a b.html"))
    >>> output_path(item, Path("out"), "markdown").as_posix()
    'out/x/a_b.md'
    """
    parts = [p for p in item.relative.parts if p not in ("", ".", "..", "/", "\\")]
    parts = [_safe_part(p) for p in parts] or ["input"]
    stem = _INPUT_SUFFIX.sub("", parts[-1]) or "input"
    parts[-1] = stem + EXTENSIONS[fmt]
    return out_dir.joinpath(*parts)


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a killed process not yet reaped does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return True  # no /proc: trust kill()
    state = stat[stat.rfind(b")") + 2:][:1]
    return state not in (b"Z", b"X")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    The temporary file is a hidden sibling named after the writing process, so that
    :func:`sweep_temp_files` can remove one left by a process that was killed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:100]}.{os.getpid()}.", suffix=TEMP_SUFFIX,
                               dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def sweep_temp_files(folder: Path) -> int:
    """Remove temporary files that killed evclean processes left in ``folder``."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        name = entry.name
        if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
            continue
        fields = name[: -len(TEMP_SUFFIX)].rsplit(".", 2)
        if len(fields) == 3 and fields[1].isdigit() and not _pid_alive(int(fields[1])):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed += 1
    return removed


def check_writable_dir(folder: Path) -> str | None:
    """Why ``folder`` cannot take output files, or None if it can (it is created)."""
    try:
        if folder.exists() and not folder.is_dir():
            return os.strerror(errno.ENOTDIR)
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".evclean-probe.", suffix=TEMP_SUFFIX, dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def up_to_date(item: Input, target: Path) -> bool:
    """Whether ``target`` already holds the output of ``item`` (newer than the input)."""
    try:
        out = target.stat()
    except OSError:
        return False
    if item.url is not None:
        return True
    if item.path is None:
        return False
    try:
        return out.st_mtime_ns >= item.path.stat().st_mtime_ns
    except OSError:
        return False


@dataclass(frozen=True)
class _Plan:
    item: Input
    result: Result | None = None  # known without work: a failure or a skip
    target: Path | None = None


class Batch:
    """A run over many inputs; iterate :meth:`results`, call :meth:`terminate` on Ctrl-C.

    ``jobs`` is the number of worker processes; with ``out_dir`` each result is written
    there (and up-to-date outputs are skipped unless ``force``); otherwise each result
    carries its serialized ``text``. ``ordered`` yields results in input order.
    """

    def __init__(self, items: Sequence[Input], job: Job, *, jobs: int,
                 out_dir: Path | None = None, force: bool = False, ordered: bool = True,
                 fetch: FetchOptions | None = None, url: str | None = None) -> None:
        from .parallel import Cleaner

        self.items = items
        self.job = job
        self.out_dir = out_dir
        self.force = force
        self.ordered = ordered
        self.fetch_options = fetch
        self.url = url
        to_clean = sum(1 for i in items if i.error is None)
        self.jobs = max(1, min(jobs, to_clean))
        self.cleaner = Cleaner(job, self.jobs)
        self._fetcher: Fetcher | None = None
        self._lock = threading.Lock()
        self._targets: dict[Path, str] = {}
        self._swept: set[Path] = set()
        self._stdin: Page | Result | None = None
        self._root = out_dir.resolve() if out_dir is not None else None
        self._inputs = {os.path.abspath(i.path) for i in items
                        if i.path is not None and out_dir is not None}

    def _get_fetcher(self) -> Fetcher:
        with self._lock:
            if self._fetcher is None:
                from .web import Fetcher

                self._fetcher = Fetcher(self.fetch_options)
            return self._fetcher

    def _target(self, item: Input) -> Path | Result:
        assert self.out_dir is not None and self._root is not None
        fmt = self.job.fmt or "markdown"
        target = output_path(item, self.out_dir, fmt)
        if target in self._targets and self._targets[target] != item.name:
            # two inputs with one name (a.html and a.htm): the later gets a hash suffix
            digest = hashlib.sha1(item.name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
            target = target.with_name(f"{target.stem}-{digest}{target.suffix}")
        self._targets[target] = item.name
        if os.path.abspath(target) in self._inputs or (
                item.path is not None and _same_file(target, item.path)):
            return Result(item, error=f"{item.name}: its output {target} would overwrite "
                                      "an input")
        try:
            target.parent.resolve().relative_to(self._root)
        except ValueError:
            return Result(item, error=f"{item.name}: output path {target} is outside the "
                                      f"out dir (a symbolic link?)")
        return target

    def _plan(self, item: Input) -> _Plan:
        if item.error:
            return _Plan(item, Result(item, error=item.error))
        target = None
        if self.out_dir is not None:
            found = self._target(item)
            if isinstance(found, Result):
                return _Plan(item, found)
            target = found
            if not self.force and up_to_date(item, target):
                return _Plan(item, Result(item, skipped=True, output=target))
            if target.parent not in self._swept:
                self._swept.add(target.parent)
                sweep_temp_files(target.parent)
        if item.kind == "stdin" and self._stdin is None:
            try:
                self._stdin = read_stream(sys.stdin.buffer, url=self.url,
                                          max_bytes=self.job.max_bytes)
            except InputError as exc:
                self._stdin = Result(item, error=str(exc))
        if item.kind == "stdin" and isinstance(self._stdin, Result):
            return _Plan(item, self._stdin)
        return _Plan(item, None, target)

    def _task(self, plan: _Plan) -> Task | Result:
        from .parallel import Task

        item = plan.item
        out = str(plan.target) if plan.target is not None else None
        if item.url is not None:
            try:
                page = self._get_fetcher().fetch(item.url)
            except InputError as exc:
                return Result(item, error=str(exc))
            return Task(item.name, text=page.text, url=page.url, out=out)
        if item.path is None:
            assert isinstance(self._stdin, Page)
            return Task(item.name, text=self._stdin.text, url=self.url, out=out)
        return Task(item.name, path=str(item.path), url=self.url, out=out)

    def _handle(self, plan: _Plan) -> Result:
        if plan.result is not None:
            return plan.result
        task = self._task(plan)
        if isinstance(task, Result):
            return task
        return _result(plan.item, self.cleaner.clean(task))

    def results(self) -> Iterator[Result]:
        """The result of every input, in input order if ``ordered``."""
        plans = (self._plan(item) for item in self.items)
        try:
            if len(self.items) <= 1 or (self.jobs == 1 and not self._has_urls()):
                for plan in plans:
                    yield self._handle(plan)
                return
            from concurrent.futures import ThreadPoolExecutor

            from .parallel import bounded_map

            threads = 2 * self.jobs + (16 if self._has_urls() else 0)
            pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="evclean")
            try:
                yield from bounded_map(pool, self._handle, plans, 2 * threads, self.ordered)
            finally:
                pool.shutdown(wait=False, cancel_futures=True)
        finally:
            self.close()

    def _has_urls(self) -> bool:
        return any(i.url is not None and i.error is None for i in self.items)

    def close(self) -> None:
        self.cleaner.close()
        with self._lock:
            fetcher, self._fetcher = self._fetcher, None
        if fetcher is not None:
            fetcher.close()

    def terminate(self) -> None:
        """Stop worker processes now; their half-written temporary files are removed."""
        self.cleaner.terminate()


def _result(item: Input, outcome: Outcome) -> Result:
    return Result(item, article=outcome.article, error=outcome.error, text=outcome.text,
                  output=Path(outcome.output) if outcome.output else None,
                  stripped=outcome.stripped, repairs=outcome.repairs)


def clean_url(url: str, fetch: FetchOptions | None = None, **options: object) -> Article:
    """Fetch ``url`` and clean it into an :class:`~evclean.render.Article`.

    ``fetch`` sets timeouts, retries, size cap and User-Agent
    (:class:`~evclean.web.FetchOptions`); ``options`` are the fields of
    :class:`~evclean.config.Config`. Raises :class:`~evclean.web.FetchError` (an
    :class:`~evclean.errors.InputError`) when the page cannot be fetched and
    :class:`~evclean.errors.NoArticleError` when it holds no article.
    """
    from .pipeline import clean_page
    from .web import fetch_url

    config = Config.from_options(**options)
    return clean_page(fetch_url(url, fetch), config)


def clean_many(inputs: Iterable[str | os.PathLike[str]], jobs: int | None = None, *,
               ordered: bool = False, fetch: FetchOptions | None = None,
               **options: object) -> Iterator[Result]:
    """Clean many inputs (URLs, files, folders) in parallel, yielding each :class:`Result`
    as it finishes (in input order if ``ordered``).

    ``jobs`` is the number of worker processes (default: every core). A failed input
    yields a result with ``error`` set; it never raises for one bad input.

    >>> for result in clean_many(["pages/", "https://example.org/story"]):  # doctest: +SKIP
    ...     print(result.input.name, result.error or result.article.title)
    """
    from .parallel import Job

    config = Config.from_options(**options)
    items = expand([os.fspath(i) for i in inputs])
    batch = Batch(items, Job(config), jobs=jobs or os.cpu_count() or 1, ordered=ordered,
                  fetch=fetch)
    yield from batch.results()


class Sink:
    """Where stdout-format results go, in order: stdout, or a file written atomically.

    Results are written as they arrive, never gathered in memory. Several ``json``
    results form one JSON array; ``jsonl`` is one record a line; markdown and text
    results are separated by a blank line. Nothing is written if nothing succeeded.
    """

    def __init__(self, fmt: str, output: Path | None, many: bool) -> None:
        self.fmt = fmt
        self.output = output
        self.many = many
        self.count = 0
        self._tmp: str | None = None
        self._file: BinaryIO | None = None

    def _put(self, text: str) -> None:
        if self.output is None:
            buffer = getattr(sys.stdout, "buffer", None)
            if buffer is None:
                sys.stdout.write(text)
                sys.stdout.flush()
            else:
                sys.stdout.flush()
                buffer.write(text.encode("utf-8"))
                buffer.flush()
            return
        if self._file is None:
            self.output.parent.mkdir(parents=True, exist_ok=True)
            fd, self._tmp = tempfile.mkstemp(prefix=f".{self.output.name[:100]}.{os.getpid()}.",
                                             suffix=TEMP_SUFFIX, dir=self.output.parent)
            self._file = os.fdopen(fd, "wb")
        self._file.write(text.encode("utf-8"))

    def write(self, text: str) -> None:
        """Add one result (as :func:`~evclean.render.serialize` made it)."""
        if self.fmt == "json" and self.many:
            lines = text.rstrip("\n").split("\n")
            body = "\n".join("  " + line if line else line for line in lines)
            self._put(("[\n" if self.count == 0 else ",\n") + body)
        elif self.fmt in ("markdown", "text") and self.count:
            self._put("\n" + text)
        else:
            self._put(text)
        self.count += 1

    def close(self) -> None:
        """Finish the output: close the JSON array, move the file into place."""
        if self.count and self.fmt == "json" and self.many:
            self._put("\n]\n")
        if self._file is not None and self._tmp is not None and self.output is not None:
            self._file.close()
            os.replace(self._tmp, self.output)
            self._file = self._tmp = None

    def abort(self) -> None:
        """Give up: a half-written output file is removed, never moved into place."""
        if self._file is not None and self._tmp is not None:
            try:
                self._file.close()
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(self._tmp)
                self._file = self._tmp = None
