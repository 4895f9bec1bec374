"""Batch throughput, peak memory and cold start: evclean against trafilatura's own CLI.

    PYTHONPATH=src python bench/batch.py [--copies 10] [--jobs N] [--runs 7]

The 181 AEB pages are decompressed into a temporary folder and copied ``--copies`` times
(1,810 files by default). Each tool then cleans the whole folder into an output folder
with the same number of processes, in the same run:

    evclean CORPUS --out-dir OUT -j N -q
    trafilatura --input-dir CORPUS --output-dir OUT --parallel N --markdown

(trafilatura 2.3.1 with --keep-dirs writes nothing: every page is "empty HTML tree".)

Both are also run on the 181 pages alone (one copy), so the table shows whether memory
grows with the number of files. Peak memory is the largest sum, over the process and all
its descendants, of the proportional set size (PSS: shared pages divided among the
processes sharing them), sampled every 20 ms from /proc. Linux only.

Cold start is the median wall time of ``evclean PAGE`` and ``trafilatura < PAGE`` on one
page (output to /dev/null), and of ``--version`` for the bare start-up.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AEB = ROOT.parent / "shared" / "data" / "aeb" / "html"
if not AEB.is_dir():
    AEB = Path("/work/wt/shared/data/aeb/html")
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss_kb(root: int) -> int:
    kids = _children()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _pss_kb(pid)
        stack.extend(kids.get(pid, ()))
    return total


def measure(cmd: list[str], stdin: Path | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak PSS of the process tree in MB, exit status."""
    peak = 0
    with open(stdin or os.devnull, "rb") as inp:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=inp, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=ENV)
        err: list[bytes] = []
        reader = threading.Thread(target=lambda: err.append(proc.stderr.read()))  # type: ignore[union-attr]
        reader.start()
        while proc.poll() is None:
            peak = max(peak, tree_pss_kb(proc.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        reader.join()
    if proc.returncode not in (0, 1):
        sys.stderr.write(b"".join(err).decode(errors="replace")[-2000:])
    return seconds, peak / 1024, proc.returncode


def corpus(base: Path, copies: int) -> Path:
    """The AEB pages, decompressed once and copied ``copies`` times."""
    pages = base / "pages"
    if not pages.is_dir():
        pages.mkdir(parents=True)
        for gz in sorted(AEB.glob("*.html.gz")):
            (pages / gz.name[:-3]).write_bytes(gzip.decompress(gz.read_bytes()))
    folder = base / f"corpus-{copies}"
    if not folder.is_dir():
        for k in range(copies):
            shutil.copytree(pages, folder / f"copy{k:02d}")
    return folder


def count(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file())


def cold(cmd: list[str], runs: int, stdin: Path | None = None) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        with open(stdin or os.devnull, "rb") as inp:
            started = time.perf_counter()
            subprocess.run(cmd, stdin=inp, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=ENV, check=False)
            times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--runs", type=int, default=7, help="runs per cold-start timing")
    parser.add_argument("--rounds", type=int, default=3,
                        help="runs per batch timing (the median wall time is shown)")
    args = parser.parse_args()
    evclean = [sys.executable, "-m", "evclean"]
    trafilatura = [str(BIN / "trafilatura")]
    with tempfile.TemporaryDirectory(prefix="evclean-bench-") as tmp:
        base = Path(tmp)
        rows = []
        for copies in sorted({1, args.copies}):
            src = corpus(base, copies)
            files = count(src)
            commands = {
                "evclean": lambda out, src=src: [*evclean, str(src), "--out-dir", str(out),
                                                 "-j", str(args.jobs), "-q"],
                "trafilatura": lambda out, src=src: [*trafilatura, "--input-dir", str(src),
                                                     "--output-dir", str(out),
                                                     "--parallel", str(args.jobs),
                                                     "--markdown"],
            }
            runs: dict[str, list[tuple[float, float, int, int]]] = {t: [] for t in commands}
            for r in range(args.rounds):  # alternate the tools, so load from elsewhere
                order = list(commands) if r % 2 == 0 else list(commands)[::-1]  # hits both
                for tool in order:
                    out = base / f"out-{tool}-{copies}-{r}"
                    seconds, peak, status = measure(commands[tool](out))
                    runs[tool].append((seconds, peak, count(out) if out.is_dir() else 0,
                                       status))
                    shutil.rmtree(out, ignore_errors=True)
            for tool, results in runs.items():
                seconds = statistics.median(x[0] for x in results)
                peak = max(x[1] for x in results)
                written = min(x[2] for x in results)
                status = max(x[3] for x in results)
                rows.append((tool, files, args.jobs, seconds, files / seconds, peak, written,
                             status))
        page = base / "pages" / sorted(os.listdir(base / "pages"))[0]
        page_kb = page.stat().st_size // 1024
        starts = [
            (f"evclean {page.name[:12]}….html", cold([*evclean, str(page)], args.runs)),
            (f"trafilatura < {page.name[:12]}….html", cold(trafilatura, args.runs, page)),
            ("evclean --version", cold([*evclean, "--version"], args.runs)),
            ("trafilatura --version", cold([*trafilatura, "--version"], args.runs)),
        ]
    print(f"Batch: {args.jobs} processes each, on {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}; median wall time of {args.rounds} alternating runs, "
          f"largest peak\n")
    print("| tool | files | processes | wall s | pages/s | peak PSS MB | outputs | exit |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for tool, files, jobs, seconds, rate, peak, written, status in rows:
        print(f"| {tool} | {files:,} | {jobs} | {seconds:.1f} | {rate:.1f} | {peak:.0f} | "
              f"{written:,} | {status} |")
    print("\n(trafilatura names each output after a hash of its text, so identical copies "
          "share one output file; it still extracts every input.)")
    print(f"\nCold start: one page of {page_kb} KB to /dev/null, "
          f"median (min) of {args.runs} runs\n")
    print("| command | median s | min s |")
    print("|---|---:|---:|")
    for name, (median, best) in starts:
        print(f"| `{name}` | {median:.3f} | {best:.3f} |")


if __name__ == "__main__":
    main()
