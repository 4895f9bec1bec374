"""Inputs and outputs of a run: expanding arguments, naming and writing output files."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .errors import EvcleanError, InputError
from .fetch import html_files, read_path, read_stream
from .render import EXTENSIONS, Article

STDIN = "-"
_INPUT_SUFFIX = re.compile(r"(\.x?html?)?(\.gz)?$", re.IGNORECASE)
_UNSAFE = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True)
class Input:
    """One input: a file (``path``), or stdin. ``relative`` names it in an out dir."""

    name: str
    path: Path | None
    relative: Path
    error: str | None = None  # known to fail before reading (a folder with no HTML)


@dataclass(frozen=True)
class Result:
    input: Input
    article: Article | None = None
    error: str | None = None


def expand(args: list[str]) -> list[Input]:
    """Inputs named on the command line, folders expanded to their HTML files."""
    inputs: list[Input] = []
    for arg in args:
        if arg == STDIN:
            inputs.append(Input("<stdin>", None, Path("stdin")))
            continue
        path = Path(arg)
        if path.is_dir():
            files = html_files(path)
            if not files:
                inputs.append(Input(arg, path, Path(path.name or "input"),
                                    error=f"{arg}: folder holds no .html or .htm files"))
            inputs.extend(Input(str(f), f, f.relative_to(path)) for f in files)
        else:
            inputs.append(Input(arg, path, Path(path.name or "input")))
    return inputs


def clean_input(item: Input, config: Config, url: str | None = None) -> Result:
    """Read and clean one input; failures become a result with an error, never raise."""
    from .pipeline import clean_page

    if item.error:
        return Result(item, error=item.error)
    try:
        if item.path is None:
            page = read_stream(sys.stdin.buffer, url=url)
        else:
            page = read_path(item.path)
            if url:
                page = type(page)(page.name, page.text, url)
        return Result(item, article=clean_page(page, config))
    except InputError as exc:
        return Result(item, error=str(exc))
    except EvcleanError as exc:
        return Result(item, error=f"{item.name}: {exc}")
    except RecursionError:
        return Result(item, error=f"{item.name}: page is nested too deeply to parse")


def output_path(item: Input, out_dir: Path, fmt: str) -> Path:
    """Where ``item``'s output goes in ``out_dir``: its relative name, format extension.

    Every part is made safe, so no name can climb out of ``out_dir``.
    """
    parts = [p for p in item.relative.parts if p not in ("", ".", "..")]
    parts = [_UNSAFE.sub("_", p).lstrip(".") or "_" for p in parts] or ["input"]
    stem = _INPUT_SUFFIX.sub("", parts[-1]) or "input"
    parts[-1] = stem + EXTENSIONS[fmt]
    return out_dir.joinpath(*parts)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
