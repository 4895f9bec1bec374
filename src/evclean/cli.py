"""The command line: options -> config -> pipeline -> output; errors -> exit statuses."""

from __future__ import annotations

import json
import sys
from enum import IntEnum
from pathlib import Path

import click

from . import __version__
from .config import SKIPPABLE, STAGES, Config
from .degarble import RULE_NAMES

FORMATS = ("markdown", "json", "jsonl", "text")


class Exit(IntEnum):
    """Exit statuses, as documented in ``--help``."""

    OK = 0
    FAILED = 1  # some input failed; the others were still cleaned and written
    USAGE = 2  # bad options or arguments


EPILOG = """\b
Examples:
  evclean page.html > article.md
  curl -s URL | evclean - --url URL
  evclean pages/ --out-dir clean/
  evclean page.html --format json --explain

\b
Exit status:
  0  every input was cleaned
  1  some input failed (the others were still cleaned and written)
  2  usage error
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


@click.command(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--url", metavar="URL",
              help="Address of the page read from stdin (or of a single file): links are made "
                   "absolute against it and it tells a copy from its original.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="markdown",
              show_default=True, help="Output format.")
@click.option("--front-matter", is_flag=True,
              help="Begin markdown output with YAML metadata (title, author, date, source).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write all output to FILE (atomically) instead of stdout.")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write one file per input into DIR, named after the input.")
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
@click.option("-q", "--quiet", is_flag=True, help="Print no messages except errors.")
@click.version_option(__version__, "-V", "--version", prog_name="evclean")
def main(inputs: tuple[str, ...], url: str | None, fmt: str, front_matter: bool,
         output: Path | None, out_dir: Path | None, skip: frozenset[str],
         rule_files: tuple[str, ...], keep: tuple[str, ...],
         no_rule: frozenset[str], drop_garbled: float | None, explain: bool,
         quiet: bool) -> None:
    """Clean scraped or republished news pages into markdown that links to the source.

    INPUT is an HTML file (plain or .gz), a folder (its .html/.htm files, recursively)
    or - for standard input. Results go to stdout unless -o or --out-dir is given;
    messages and errors go to stderr.
    """
    from .batch import clean_input, expand, output_path, write_atomic
    from .render import serialize

    if output and out_dir:
        raise click.UsageError("-o/--output and --out-dir cannot be used together")
    if list(inputs).count("-") > 1:
        raise click.UsageError("standard input (-) can be named only once")
    if url and len(inputs) > 1:
        raise click.UsageError("--url names one page; give it with a single INPUT")
    kept = frozenset(n.strip().lower() for v in keep for n in v.split(",") if n.strip())
    try:
        config = Config(skip=skip, rules=rule_files, keep=kept,
                        disabled_rules=no_rule, drop_garbled=drop_garbled)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    items = expand(list(inputs))
    results = []
    failed = 0
    chunks: list[str] = []
    for item in items:
        result = clean_input(item, config, url=url)
        results.append(result)
        if result.article is None:
            failed += 1
            click.echo(f"Error: {result.error}", err=True)
            if fmt == "jsonl" and out_dir is None:
                chunks.append(json.dumps({"input": item.name, "error": result.error},
                                         ensure_ascii=False) + "\n")
            continue
        text = serialize(result.article, fmt, front_matter)
        if explain:
            _explain(item.name, result.article)
        if out_dir is not None:
            target = output_path(item, out_dir, fmt)
            try:
                write_atomic(target, text)
            except OSError as exc:
                failed += 1
                click.echo(f"Error: {item.name}: cannot write {target}: "
                           f"{exc.strerror or exc}", err=True)
        else:
            chunks.append(text)
    if out_dir is None:
        _emit(chunks, fmt, output)
    if not quiet and len(items) > 1:
        click.echo(f"{len(items) - failed} cleaned, {failed} failed", err=True)
    sys.exit(Exit.FAILED if failed else Exit.OK)


def _emit(chunks: list[str], fmt: str, output: Path | None) -> None:
    from .batch import write_atomic

    if fmt == "json" and len(chunks) > 1:
        objects = [json.loads(c) for c in chunks]
        text = json.dumps(objects, ensure_ascii=False, indent=2) + "\n"
    else:
        sep = "" if fmt == "jsonl" else "\n"
        text = sep.join(chunks)
    if output is not None:
        if text:
            write_atomic(output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


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
