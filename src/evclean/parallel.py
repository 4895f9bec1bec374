"""Cleaning pages in worker processes, and bounded concurrent maps that keep memory flat.

The pipeline is pure, so a worker needs only the page (or its path) and the run's
settings: the settings (:class:`Job`) go to each worker once, when it starts; each page
goes as a small :class:`Task`. In out-dir mode the worker writes the output file itself,
so only a few counts travel back.

Workers start from a fork server that has already imported the pipeline, so a pool
starts in a fraction of a second; they ignore Ctrl-C (the parent decides) and clean up
a half-written temporary file when terminated.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .config import Config
from .fetch import BATCH_MAX_BYTES

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from .render import Article

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Job:
    """Settings shared by every page of a run."""

    config: Config
    fmt: str | None = None  # serialize to this format; None: return the article only
    front_matter: bool = False
    keep_article: bool = True  # send the Article back (for the API and --explain)
    max_bytes: int = BATCH_MAX_BYTES


@dataclass(frozen=True)
class Task:
    """One page to clean: a file to read (``path``) or text already read."""

    name: str
    path: str | None = None
    text: str | None = None
    url: str | None = None
    out: str | None = None  # write the serialized result here (atomically)


@dataclass(frozen=True)
class Outcome:
    """What a worker sends back."""

    article: Article | None = None
    text: str | None = None
    error: str | None = None
    output: str | None = None
    stripped: int = 0
    repairs: int = 0


def work(job: Job, task: Task) -> Outcome:
    """Read (if needed), clean, serialize and write (if asked) one page. Never raises
    for a bad page: the failure becomes :attr:`Outcome.error`, naming the input."""
    from .batch import write_atomic
    from .errors import EvcleanError, InputError
    from .fetch import Page, read_path
    from .pipeline import clean_page
    from .render import serialize

    name = task.name
    try:
        if task.text is not None:
            page = Page(name, task.text, task.url)
        else:
            assert task.path is not None
            page = read_path(Path(task.path), max_bytes=job.max_bytes)
            if task.url:
                page = Page(page.name, page.text, task.url)
        article = clean_page(page, job.config)
    except InputError as exc:
        return Outcome(error=str(exc))
    except EvcleanError as exc:
        return Outcome(error=f"{name}: {exc}")
    except RecursionError:
        return Outcome(error=f"{name}: page is nested too deeply to parse")
    except MemoryError:
        return Outcome(error=f"{name}: out of memory while cleaning")
    except Exception as exc:  # a bug on one page must not stop a batch
        return Outcome(error=f"{name}: internal error, please report it "
                             f"({type(exc).__name__}: {exc})")
    stripped = sum(1 for c in article.report if c.stage == "strip")
    repairs = len(article.report) - stripped
    text = None
    if job.fmt is not None:
        text = serialize(article, job.fmt, job.front_matter)
        if job.fmt == "jsonl" and task.out is None:
            text = with_input(name, text)
    if task.out is not None and text is not None:
        try:
            write_atomic(Path(task.out), text)
        except OSError as exc:
            return Outcome(error=f"{name}: cannot write {task.out}: {exc.strerror or exc}")
        text = None
    return Outcome(article=article if job.keep_article else None, text=text,
                   output=task.out, stripped=stripped, repairs=repairs)


def with_input(name: str, jsonl: str) -> str:
    """A JSON-lines record with the input's name in front (to join with failed records).

    >>> with_input("a.html", '{"title": "T"}\\n')
    '{"input": "a.html", "title": "T"}\\n'
    """
    import json

    return json.dumps({"input": name, **json.loads(jsonl)}, ensure_ascii=False) + "\n"


# The job of this worker process, set once by the pool initializer.
_WORKER_JOB: list[Job] = []


def _init_worker(job: Job) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)  # unwinds write_atomic, which removes its temp file

    signal.signal(signal.SIGTERM, terminate)
    _WORKER_JOB[:] = [job]


def _work_in_worker(task: Task) -> Outcome:
    try:
        return work(_WORKER_JOB[0], task)
    except SystemExit:
        os._exit(143)


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["evclean.pipeline", "evclean.batch"])
        return ctx
    return multiprocessing.get_context("spawn")


class Cleaner:
    """Cleans tasks in ``jobs`` worker processes, or in this process when ``jobs`` is 1.

    Thread-safe: many threads may call :meth:`clean` at once. A pool whose worker died
    (killed, out of memory) fails the tasks it held and is replaced for the rest.
    """

    def __init__(self, job: Job, jobs: int) -> None:
        self.job = job
        self.jobs = max(1, jobs)
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False

    def _get_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise RuntimeError("the cleaner is closed")
            if self._pool is None:
                from concurrent.futures import ProcessPoolExecutor

                self._pool = ProcessPoolExecutor(
                    max_workers=self.jobs, mp_context=_context(),
                    initializer=_init_worker, initargs=(self.job,),
                )
            return self._pool

    def clean(self, task: Task) -> Outcome:
        if self.jobs == 1:
            return work(self.job, task)
        from concurrent.futures.process import BrokenProcessPool

        pool = self._get_pool()
        try:
            return pool.submit(_work_in_worker, task).result()
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
                    pool.shutdown(wait=False, cancel_futures=True)
            return Outcome(error=f"{task.name}: the worker process cleaning it died "
                                 "(killed or out of memory)")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def terminate(self) -> None:
        """Stop the workers now (on Ctrl-C): each removes its half-written temp file."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = dict(getattr(pool, "_processes", None) or {})
        for process in processes.values():
            if process.is_alive():
                process.terminate()
        for process in processes.values():
            process.join(timeout=5)
        pool.shutdown(wait=False, cancel_futures=True)


def bounded_map(executor: Executor, fn: Callable[[T], R], items: Iterable[T], window: int,
                ordered: bool) -> Iterator[R]:
    """``map(fn, items)`` on ``executor`` with at most ``window`` items in flight.

    ``ordered`` yields results in input order, otherwise as they finish. Only ``window``
    items and results are held at a time, however long ``items`` is.
    """
    window = max(1, window)
    iterator = iter(items)
    if ordered:
        queue: deque[Future[R]] = deque()
        for item in iterator:
            queue.append(executor.submit(fn, item))
            if len(queue) >= window:
                yield queue.popleft().result()
        while queue:
            yield queue.popleft().result()
        return
    pending: set[Future[R]] = set()
    exhausted = False
    while True:
        while not exhausted and len(pending) < window:
            item_or_end: Any = next(iterator, _END)
            if item_or_end is _END:
                exhausted = True
                break
            pending.add(executor.submit(fn, item_or_end))
        if not pending:
            return
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            yield future.result()


_END = object()
