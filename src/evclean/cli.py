"""The command line: options -> config -> pipeline -> output; errors -> exit statuses."""

from __future__ import annotations

import os
import re
import sys
from enum import IntEnum
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import FORMATS, SKIPPABLE, STAGES, Config
from .degarble import RULE_NAMES


class Exit(IntEnum):
    """Exit statuses, as documented in ``--help``."""

    OK = 0
    FAILED = 1  # some input failed; the others were still cleaned and written
    USAGE = 2  # bad options or arguments
    INTERRUPTED = 130  # Ctrl-C: finished outputs are kept; rerun to finish the rest


EPILOG = """\b
Examples:
  evclean https://example.org/story > article.md
  curl -s URL | evclean - --url URL
  evclean pages/ --out-dir clean/
  evclean -i urls.txt --format jsonl > articles.jsonl
  evclean page.html --format json --explain

\b
Exit status:
  0  every input was cleaned (or its output was up to date)
  1  some input failed (the others were still cleaned and written)
  2  usage error
  130  interrupted (Ctrl-C); run the same command again to finish
"""


def _split_skip(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> frozenset[str]:
    names = {n.strip().lower() for v in values for n in v.split(",") if n.strip()}
    for name in sorted(names):
        if name not in STAGES:
            raise click.BadParameter(
                f"unknown stage {name!r}; stages are: {', '.join(STAGES)}", ctx, param
            )
        if name not in SKIPPABLE:
            raise click.BadParameter(
                f"stage {name!r} cannot be skipped; skippable: {', '.join(SKIPPABLE)}", ctx, param
            )
    return frozenset(names)


def _split_rules(ctx: click.Context, param: click.Parameter,
                 values: tuple[str, ...]) -> frozenset[str]:
    names = {n.strip().lower() for v in values for n in v.split(",") if n.strip()}
    for name in sorted(names):
        if name not in RULE_NAMES:
            raise click.BadParameter(
                f"unknown degarble rule {name!r}; rules are: {', '.join(RULE_NAMES)}", ctx, param
            )
    return frozenset(names)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9,
          "ki": 2**10, "mi": 2**20, "gi": 2**30}


def _size(ctx: click.Context, param: click.Parameter, value: str) -> int:
    """A byte count such as ``10000000``, ``500k``, ``10M`` or ``1GiB``."""
    m = _SIZE.match(value)
    if not m:
        raise click.BadParameter(f"{value!r} is not a size such as 500k, 10M or 1G", ctx, param)
    unit = (m.group(2) or "").lower().rstrip("b")
    size = int(float(m.group(1)) * _UNITS[unit])
    if size < 1:
        raise click.BadParameter("must be at least 1 byte", ctx, param)
    return size


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@click.command(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("inputs", nargs=-1, metavar="INPUT...")
@click.option("-i", "--input-list", "lists", multiple=True, metavar="FILE",
              help="Read inputs (URLs or paths), one a line, from FILE (- for stdin); "
                   "blank lines and lines starting with # are skipped. Repeatable.")
@click.option("--glob", "globs", multiple=True, metavar="PATTERN",
              help="In folders, take the files matching PATTERN (e.g. '*.php') instead of "
                   ".html/.htm files. Repeatable.")
@click.option("--url", metavar="URL",
              help="Address of the page read from stdin (or of a single file): links are made "
                   "absolute against it and it tells a copy from its original.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="markdown",
              show_default=True, help="Output format. jsonl writes one record per input, "
                                      "failed ones with an \"error\" field.")
@click.option("--front-matter", is_flag=True,
              help="Begin markdown output with YAML metadata (title, author, date, source).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write all output to FILE (atomically) instead of stdout.")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write one file per input into DIR, mirroring the input names (URLs: "
                   "host/path). Outputs newer than their input are skipped, so a stopped "
                   "batch resumes.")
@click.option("--force", is_flag=True, help="With --out-dir, rewrite outputs that are up to date.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
              help="Worker processes that clean pages.  [default: all cores]")
@click.option("--per-host", type=click.IntRange(min=1), default=2, show_default=True,
              metavar="N", help="URLs fetched at a time from one host.")
@click.option("--user-agent", metavar="TEXT", help="User-Agent header of requests.  "
              "[default: evclean/VERSION (+https://pypi.org/project/evclean/; article cleaner)]")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True, metavar="SECONDS",
              help="Give up on a server that sends nothing for this long.")
@click.option("--connect-timeout", type=click.FloatRange(min=0, min_open=True), default=10.0,
              show_default=True, metavar="SECONDS", help="Give up connecting after this long.")
@click.option("--retries", type=click.IntRange(min=0, max=10), default=2, show_default=True,
              metavar="N", help="Retries after a connection error, 429 or 5xx.")
@click.option("--backoff", type=click.FloatRange(min=0), default=1.0, show_default=True,
              metavar="SECONDS", help="Wait before the first retry; doubled for each next one. "
                                      "A Retry-After header up to 60 s is honoured instead.")
@click.option("--max-bytes", default="10M", show_default=True, callback=_size, metavar="SIZE",
              help="Refuse an input (file, download or decompressed body) larger than this.")
@click.option("--skip", multiple=True, callback=_split_skip, metavar="STAGE",
              help=f"Skip a stage (repeatable or comma-separated): {', '.join(SKIPPABLE)}.")
@click.option("--rules", "rule_files", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False),
              help="Add the strip rules of a TOML file to the shipped ones (repeatable).")
@click.option("--keep", multiple=True, metavar="CATEGORY",
              help="Keep a boilerplate category that strip would remove (repeatable or "
                   "comma-separated): newsletter, subscription, donation, social, share, "
                   "affiliate, aggregator, comments, related, cookies, ads, author-bio, tips, "
                   "app, paywall, or one from a --rules file.")
@click.option("--no-rule", "no_rule", multiple=True, callback=_split_rules, metavar="RULE",
              help="Switch off a degarble rule (repeatable or comma-separated): "
                   f"{', '.join(RULE_NAMES)}.")
@click.option("--drop-garbled", type=click.FloatRange(0, 1), metavar="SCORE",
              help="Drop paragraphs whose garble score (0 clean to 1 garbled) is above "
                   "SCORE. Off by default.")
@click.option("--explain", is_flag=True,
              help="Print to stderr what each stage removed or repaired, and why.")
@click.option("-q", "--quiet", is_flag=True,
              help="Print no progress or summary; only errors.")
@click.version_option(__version__, "-V", "--version", prog_name="evclean")
def main(inputs: tuple[str, ...], lists: tuple[str, ...], globs: tuple[str, ...],
         url: str | None, fmt: str, front_matter: bool, output: Path | None,
         out_dir: Path | None, force: bool, jobs: int | None, per_host: int,
         user_agent: str | None, timeout: float, connect_timeout: float, retries: int,
         backoff: float, max_bytes: int, skip: frozenset[str], rule_files: tuple[str, ...],
         keep: tuple[str, ...], no_rule: frozenset[str],
         drop_garbled: float | None, explain: bool,
         quiet: bool) -> None:
    """Clean scraped or republished news pages into markdown that links to the source.

    INPUT is an http(s) URL, an HTML file (plain or .gz), a folder (its .html/.htm
    files, recursively) or - for standard input. Results go to stdout unless -o or
    --out-dir is given; progress, messages and errors go to stderr.
    """
    from .batch import read_list

    args = list(inputs)
    if list(lists).count("-") + args.count("-") > 1:
        raise click.UsageError("standard input (-) can be named only once")
    for source in lists:
        try:
            args.extend(read_list(source))
        except OSError as exc:
            raise click.UsageError(
                f"cannot read input list {source}: {exc.strerror or exc}") from None
    if not args:
        if lists:
            raise click.UsageError("the input list names no inputs")
        raise click.UsageError("Missing argument 'INPUT...': give a URL, file, folder or -, "
                               "or -i FILE")
    if output and out_dir:
        raise click.UsageError("-o/--output and --out-dir cannot be used together")
    if args.count("-") > 1:
        raise click.UsageError("standard input (-) can be named only once")
    if url and len(args) > 1:
        raise click.UsageError("--url names one page; give it with a single INPUT")
    if force and out_dir is None:
        raise click.UsageError("--force goes with --out-dir")
    options: dict[str, Any] = {
        "connect_timeout": connect_timeout, "read_timeout": timeout, "retries": retries,
        "backoff": backoff, "max_bytes": max_bytes, "per_host": per_host,
    }
    if user_agent:
        options["user_agent"] = user_agent
    kept = frozenset(n.strip().lower() for v in keep for n in v.split(",") if n.strip())
    try:
        config = Config(skip=skip, rules=rule_files, keep=kept,
                        disabled_rules=no_rule, drop_garbled=drop_garbled)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    status = _run(args, globs, config, fmt, front_matter, output, out_dir, force,
                  jobs or _cores(), options, url, explain, quiet)
    sys.exit(status)


def _run(args: list[str], globs: tuple[str, ...], config: Config, fmt: str,
         front_matter: bool, output: Path | None, out_dir: Path | None, force: bool,
         jobs: int, fetch_options: dict[str, Any], url: str | None, explain: bool,
         quiet: bool) -> Exit:
    import json

    from .batch import Batch, Sink, check_writable_dir, expand
    from .parallel import Job
    from .progress import Progress, Summary, one_line

    items = expand(args, globs)
    if output is not None and output.exists():
        for item in items:
            if item.path is not None and os.path.samefile(item.path, output):
                raise click.UsageError(f"-o {output} is one of the inputs; it would be "
                                       "overwritten")
    if out_dir is not None:
        reason = check_writable_dir(out_dir)
        if reason:
            click.echo(one_line(f"Error: {out_dir}: cannot write to the out dir ({reason})"),
                       err=True)
            return Exit.FAILED
    if output is not None:
        reason = check_writable_dir(output.parent)
        if reason:
            click.echo(one_line(f"Error: {output}: cannot write ({reason})"), err=True)
            return Exit.FAILED
    fetch = None
    if any(i.url is not None for i in items):
        from .web import FetchOptions

        fetch = FetchOptions(**fetch_options)
    job = Job(config, fmt=fmt, front_matter=front_matter, keep_article=explain,
              max_bytes=fetch_options["max_bytes"])
    batch = Batch(items, job, jobs=jobs, out_dir=out_dir, force=force,
                  ordered=out_dir is None, fetch=fetch, url=url)
    sink = Sink(fmt, output, many=len(items) > 1) if out_dir is None else None
    summary = Summary(total=len(items))
    progress = Progress(len(items), enabled=not quiet)
    try:
        for result in batch.results():
            summary.add(result)
            if result.error is not None:
                progress.error(f"Error: {result.error}")
                if sink is not None and fmt == "jsonl":
                    sink.write(json.dumps({"input": result.input.name, "error": result.error},
                                          ensure_ascii=False) + "\n")
            elif result.article is not None or result.text is not None:
                if explain and result.article is not None:
                    _explain(result.input.name, result.article)
                if sink is not None and result.text is not None:
                    sink.write(result.text)
            progress.advance(result)
        if sink is not None:
            sink.close()
    except KeyboardInterrupt:
        done = summary.cleaned + summary.failed + summary.skipped
        _abort(batch, sink, progress,
               f"Error: interrupted after {done:,} of {len(items):,} inputs; finished outputs "
               "are kept, run the same command again to finish the rest", Exit.INTERRUPTED)
    except BrokenPipeError:
        _abort(batch, sink, progress, None, Exit.FAILED)
    except OSError as exc:
        if output is None:
            raise
        batch.terminate()
        assert sink is not None
        sink.abort()
        progress.stop()
        click.echo(one_line(f"Error: {output}: cannot write ({exc.strerror or exc})"), err=True)
        return Exit.FAILED
    progress.stop()
    if not quiet and len(items) > 1:
        # the full summary on a terminal; one stable line in logs and pipelines
        click.echo(summary.render() if progress.interactive else summary.line(), err=True)
    return Exit.FAILED if summary.failed else Exit.OK


def _abort(batch: Any, sink: Any, progress: Any, message: str | None, status: Exit) -> None:
    """Stop at once: workers end (removing their temp files), nothing half-written stays."""
    batch.terminate()
    if sink is not None:
        sink.abort()
    progress.stop()
    if message:
        sys.stderr.write(message + "\n")
    try:
        sys.stdout.flush()
    except OSError:  # a closed pipe: nothing more can go there
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sys.stderr.flush()
    # Threads may be waiting on slow servers; do not wait for them.
    os._exit(status)


def _explain(name: str, article: object) -> None:
    """Print an article's report to stderr: one entry per change, before and after."""
    from rich.console import Console
    from rich.text import Text

    report = getattr(article, "report", ())
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    console.print(Text(f"{name}: {len(report)} change(s)", style="bold"))

    def clip(s: str) -> str:
        return s if len(s) <= 400 else s[:399] + "…"

    for change in report:
        head = Text(f"  {change.stage} ", style="cyan")
        head.append(change.rule, style="bold")
        if change.category:
            head.append(f" ({change.category})", style="dim")
        console.print(head)
        if change.before:
            console.print(Text(f"    - {clip(change.before)}", style="red"))
        if change.after:
            console.print(Text(f"    + {clip(change.after)}", style="green"))
    garble = getattr(article, "garble", None)
    if garble is not None:
        worst = max((s for s in garble.blocks if s is not None), default=0.0)
        console.print(Text(f"{name}: garble score {garble.article:.3f} "
                           f"(highest paragraph {worst:.3f})", style="bold"))
