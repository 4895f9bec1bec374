"""Progress and the end-of-run summary, on stderr only.

A rich progress bar (count, rate, ETA, failures) is shown only when stderr is a terminal
and the run is not ``--quiet``; error lines are printed above it so they are never torn.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .batch import Result

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(message: str) -> str:
    r"""A message made safe to print as one line: control characters become escapes.

    >>> one_line("bad\nname\x1b[31m.html: no such file")
    'bad\\nname\\x1b[31m.html: no such file'
    """
    def escape(m: re.Match[str]) -> str:
        c = m.group(0)
        named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c)
        if named:
            return named
        return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"

    return _UNPRINTABLE.sub(escape, message)


@dataclass
class Summary:
    """Counts of a run, printed at its end."""

    total: int
    cleaned: int = 0
    skipped: int = 0
    stripped: int = 0
    repairs: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)

    @property
    def failed(self) -> int:
        return sum(self.reasons.values())

    def add(self, result: Result) -> None:
        if result.error is not None:
            self.reasons[_reason_kind(result.reason or "")] += 1
        elif result.skipped:
            self.skipped += 1
        else:
            self.cleaned += 1
            self.stripped += result.stripped
            self.repairs += result.repairs

    def line(self) -> str:
        """The one-line summary for logs: ``297 cleaned, 3 failed`` (and skipped, if any).

        >>> Summary(total=3, cleaned=2, skipped=1).line()
        '2 cleaned, 0 failed, 1 skipped'
        """
        line = f"{self.cleaned} cleaned, {self.failed} failed"
        return line + (f", {self.skipped} skipped" if self.skipped else "")

    def render(self, elapsed: float | None = None) -> str:
        """The summary: at most a handful of lines.

        >>> s = Summary(total=3, cleaned=2, stripped=4, repairs=1, started=0.0)
        >>> s.reasons["HTTP 404 Not Found"] += 1
        >>> print(s.render(elapsed=2.0))
        2 cleaned, 1 failed, 0 skipped in 2.0 s (1.0 pages/s)
        failed: 1 HTTP 404 Not Found
        removed 4 boilerplate blocks, made 1 repair
        """
        if elapsed is None:
            elapsed = time.monotonic() - self.started
        rate = self.cleaned / elapsed if elapsed > 0 else 0.0
        lines = [f"{self.cleaned:,} cleaned, {self.failed:,} failed, {self.skipped:,} skipped "
                 f"in {elapsed:.1f} s ({rate:,.1f} pages/s)"]
        if self.reasons:
            common = sorted(self.reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
            parts = [f"{n:,} {reason}" for reason, n in common]
            rest = self.failed - sum(n for _, n in common)
            if rest:
                parts.append(f"{rest:,} other")
            lines.append("failed: " + "; ".join(parts))
        lines.append(f"removed {self.stripped:,} boilerplate block"
                     f"{'' if self.stripped == 1 else 's'}, made {self.repairs:,} repair"
                     f"{'' if self.repairs == 1 else 's'}")
        return "\n".join(lines)


def _reason_kind(reason: str) -> str:
    """A failure reason without its details, to count like failures together.

    >>> _reason_kind("connection refused (after 3 attempts)")
    'connection refused'
    >>> _reason_kind("cannot write out/a.md: Permission denied")
    'cannot write'
    """
    kind = re.split(r" \(|: |, ", reason, maxsplit=1)[0]
    kind = re.sub(r" (out/|/)\S*$", "", kind)
    if kind.startswith("cannot write "):
        kind = "cannot write"
    return one_line(kind[:80]) or "error"


class Progress:
    """A progress bar on stderr when it is a terminal; otherwise plain error lines."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.failed = 0
        self._bar: Any = None
        self._task: Any = None
        #: whether a person watches stderr (a terminal, not --quiet)
        self.interactive = enabled and sys.stderr.isatty()
        if self.interactive and total > 1:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TaskProgressColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn("cleaning"), BarColumn(), MofNCompleteColumn(),
                TaskProgressColumn(), TextColumn("{task.fields[rate]} pages/s"),
                TimeRemainingColumn(), TextColumn("{task.fields[failed]} failed"),
                console=Console(stderr=True, highlight=False), transient=True,
            )
            self._task = self._bar.add_task("clean", total=total, rate="-", failed=0)
            self._started = time.monotonic()
            self._bar.start()

    def error(self, line: str) -> None:
        line = one_line(line)
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    def advance(self, result: Result) -> None:
        if result.error is not None:
            self.failed += 1
        if self._bar is not None:
            done = self._bar.tasks[0].completed + 1
            elapsed = time.monotonic() - self._started
            rate = f"{done / elapsed:,.1f}" if elapsed > 0 else "-"
            self._bar.update(self._task, advance=1, rate=rate, failed=self.failed)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
