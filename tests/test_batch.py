"""Batches of files: real processes, real signals, nothing lost.

The 300-page batch and the kill/resume and Ctrl-C tests run ``python -m evclean`` as a
subprocess and signal its whole process group (as a terminal or a killed container does).
The other tests cover the bad-input list for files and the out dir.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import evclean
from conftest import FIXTURES, story_page
from evclean.batch import TEMP_SUFFIX, Input, output_path, sweep_temp_files
from evclean.cli import main

SRC = Path(evclean.__file__).resolve().parent.parent
CASES = json.loads((FIXTURES / "batch" / "bad-files.json").read_text(encoding="utf-8"))
BROKEN = {  # file name -> (content, reason)
    "page-050.html": (b"", "empty input"),
    "page-150.html": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
                      "binary data, not an HTML page"),
    "page-250.html": (b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
                      "no article found"),
}


def make_pages(folder: Path, count: int) -> list[Path]:
    """``count`` pages in two levels of folders, with the BROKEN ones among them."""
    paths = []
    for n in range(count):
        name = f"page-{n:03d}.html"
        path = folder / f"part{n % 3}" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name in BROKEN:
            path.write_bytes(BROKEN[name][0])
        else:
            path.write_text(story_page(n), encoding="utf-8")
        paths.append(path)
    return paths


def evclean_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "evclean", *args]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SRC)}


def outputs(out: Path) -> dict[str, Path]:
    return {p.relative_to(out).as_posix(): p for p in out.rglob("*.md")}


def temp_files(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith(TEMP_SUFFIX)]


def expected_errors(src: Path) -> list[str]:
    return sorted(f"Error: {src / f'part{int(name[5:8]) % 3}' / name}: {reason}"
                  for name, (_, reason) in BROKEN.items())


def assert_complete(out: Path) -> None:
    """Every output is a whole article: it ends with its story's last line."""
    for rel, path in outputs(out).items():
        n = int(re.search(r"page-(\d+)", rel).group(1))  # type: ignore[union-attr]
        assert path.read_text(encoding="utf-8").endswith(f"End of story {n}.\n"), rel


def test_300_pages_with_3_broken(tmp_path: Path) -> None:
    src, out = tmp_path / "pages", tmp_path / "clean"
    make_pages(src, 300)
    proc = subprocess.run(evclean_cmd(str(src), "--out-dir", str(out), "-j", "2"),
                          capture_output=True, text=True, env=env(), timeout=300, check=False)
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert sorted(line for line in lines if line.startswith("Error: ")) == expected_errors(src)
    assert lines[-1] == "297 cleaned, 3 failed"
    assert len(lines) == 4
    assert len(outputs(out)) == 297
    assert not temp_files(out)
    assert_complete(out)


def _run_until(src: Path, out: Path, sig: int, at: int) -> subprocess.CompletedProcess[str]:
    """Start a batch, wait until ``at`` outputs exist, send ``sig`` to its process group."""
    proc = subprocess.Popen(evclean_cmd(str(src), "--out-dir", str(out), "-j", "2"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env(), start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.is_dir() and len(outputs(out)) >= at:
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the batch finished before it could be interrupted"
    os.killpg(proc.pid, sig)
    stdout, stderr = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def _snapshot(out: Path) -> dict[str, tuple[int, int]]:
    return {rel: (p.stat().st_ino, p.stat().st_mtime_ns) for rel, p in outputs(out).items()}


def test_kill_9_half_way_then_rerun_finishes_without_rewriting(tmp_path: Path) -> None:
    src, out = tmp_path / "pages", tmp_path / "clean"
    make_pages(src, 300)
    killed = _run_until(src, out, signal.SIGKILL, at=100)
    assert killed.returncode == -signal.SIGKILL
    time.sleep(0.2)
    before = _snapshot(out)
    assert 100 <= len(before) < 297
    assert_complete(out)  # no half-written output file
    rerun = subprocess.run(evclean_cmd(str(src), "--out-dir", str(out), "-j", "2"),
                           capture_output=True, text=True, env=env(), timeout=300, check=False)
    assert rerun.returncode == 1
    lines = rerun.stderr.splitlines()
    assert sorted(line for line in lines if line.startswith("Error: ")) == expected_errors(src)
    assert lines[-1] == f"{297 - len(before)} cleaned, 3 failed, {len(before)} skipped"
    after = _snapshot(out)
    assert len(after) == 297
    assert {rel: after[rel] for rel in before} == before  # none rewritten
    assert not temp_files(out)  # temp files of the killed workers are swept
    assert_complete(out)


def test_ctrl_c_stops_cleanly_then_rerun_finishes(tmp_path: Path) -> None:
    src, out = tmp_path / "pages", tmp_path / "clean"
    make_pages(src, 300)
    stopped = _run_until(src, out, signal.SIGINT, at=60)
    assert stopped.returncode == 130
    last = stopped.stderr.splitlines()[-1]
    assert re.fullmatch(r"Error: interrupted after \d+ of 300 inputs; finished outputs are "
                        r"kept, run the same command again to finish the rest", last)
    assert "Traceback" not in stopped.stderr
    before = _snapshot(out)
    assert 60 <= len(before) < 297
    assert not temp_files(out)  # the workers removed their half-written files
    assert_complete(out)
    rerun = subprocess.run(evclean_cmd(str(src), "--out-dir", str(out), "-j", "2"),
                           capture_output=True, text=True, env=env(), timeout=300, check=False)
    assert rerun.returncode == 1
    assert len(outputs(out)) == 297
    assert {rel: _snapshot(out)[rel] for rel in before} == before


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_stdout_formats_keep_input_order_with_many_workers(tmp_path: Path) -> None:
    paths = make_pages(tmp_path, 40)
    good = [p for p in paths if p.name not in BROKEN]
    code, out, _ = run("-j", "2", "--format", "jsonl", *map(str, good))
    assert code == 0
    assert [json.loads(line)["title"] for line in out.splitlines()] == \
        [f"Story {int(p.name[5:8])}" for p in good]
    code, out, _ = run("-j", "2", "--format", "json", *map(str, good[:5]))
    assert [a["title"] for a in json.loads(out)] == [f"Story {int(p.name[5:8])}"
                                                     for p in good[:5]]
    code, out, _ = run("-j", "2", *map(str, good[:3]))
    assert [line for line in out.splitlines() if line.startswith("# ")] == \
        [f"# Story {int(p.name[5:8])}" for p in good[:3]]


def _bad_file(case: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / case.get("name", "page.html")
    kind = case["make"]
    if kind == "missing":
        return path
    if kind == "folder":
        path.mkdir()
        (path / "notes.txt").write_text("no html here", encoding="utf-8")
        return path
    if kind == "single-line":
        with path.open("wb") as f:
            f.write(b"<html><body><p>")
            for _ in range(50):
                f.write(b"word " * 209_715)  # 50 MiB on one line
            f.write(b"</p></body></html>")
        return path
    if kind == "nested":
        depth = case["depth"]
        path.write_text(story_page(1).replace("</article>", "<div>" * depth + "deep" + "</div>" *
                                        depth + "</article>"), encoding="utf-8")
        return path
    if kind == "nul":
        path.write_bytes(story_page(1).replace("committee", "comm\x00ittee").encode())
        return path
    if kind == "bytes":
        path.write_bytes(bytes.fromhex(case["hex"]))
        return path
    raise AssertionError(kind)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_file(case: dict[str, Any], tmp_path: Path) -> None:
    path = _bad_file(case, tmp_path)
    good = tmp_path / "good.html"
    good.write_text(story_page(7), encoding="utf-8")
    code, out, err = run(str(path), str(good), "--format", "jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    assert records[-1]["title"] == "Story 7"  # the rest of the batch completes
    if "error" in case:
        assert code == 1
        assert err == f"Error: {path}: {case['error']}\n1 cleaned, 1 failed\n"
        assert records[0] == {"input": str(path), "error": f"{path}: {case['error']}"}
    else:
        assert (code, err) == (0, "2 cleaned, 0 failed\n")
        for text in case["has"]:
            assert text in records[0]["markdown"]
        assert "\x00" not in records[0]["markdown"]


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.html"
    path.write_text(story_page(1), encoding="utf-8")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: read it as nobody
        tmp_path.chmod(0o755)
        for parent in tmp_path.parents:
            if parent.stat().st_uid == 0 and not parent.stat().st_mode & 0o001:
                parent.chmod(parent.stat().st_mode | 0o001)
        os.setegid(65534)
        os.seteuid(65534)
        try:
            code, out, err = run(str(path))
        finally:
            os.seteuid(0)
            os.setegid(0)
    else:
        code, out, err = run(str(path))
    assert (code, out) == (1, "")
    assert err == f"Error: {path}: permission denied\n"


def test_odd_and_climbing_names_stay_inside_the_out_dir(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "pages" / "sub").mkdir(parents=True)
    odd = work / "pages" / "sub" / "a b$(touch x);\n\x1b[31m.html"
    odd.write_text(story_page(1), encoding="utf-8")
    (work / "pages" / "..hidden.html").write_text(story_page(2), encoding="utf-8")
    (work / "up.html").write_text(story_page(3), encoding="utf-8")
    out = work / "pages" / "out"
    climbing = str(work / "pages" / "sub" / ".." / ".." / "up.html")
    missing = str(work / "pages" / "no\nsuch\x1b.html")
    code, _, err = run(str(work / "pages"), climbing, missing, "--out-dir", str(out))
    assert code == 1
    # the missing file's odd name is printed on one line, its control characters escaped
    assert err.splitlines()[0] == ("Error: " + missing.replace("\n", "\\n")
                                   .replace("\x1b", "\\x1b") + ": no such file")
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    assert names == ["hidden.md", "sub/a_b_touch_x_31m.md", "up.md"]
    assert sorted(p.name for p in work.iterdir()) == ["pages", "up.html"]
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))


def test_out_dir_that_cannot_be_written(tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    good.write_text(story_page(1), encoding="utf-8")
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    code, out, err = run(str(good), "--out-dir", str(blocker / "out"))
    assert (code, out) == (1, "")
    assert err == f"Error: {blocker / 'out'}: cannot write to the out dir (Not a directory)\n"
    code, out, err = run(str(good), "-o", str(blocker / "out.md"))
    assert (code, out) == (1, "")
    assert err == f"Error: {blocker / 'out.md'}: cannot write (Not a directory)\n"


def test_same_output_name_gets_a_suffix_not_an_overwrite(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "story.html").write_text(story_page(1), encoding="utf-8")
    (tmp_path / "a" / "story.htm").write_text(story_page(2), encoding="utf-8")
    out = tmp_path / "out"
    code, _, _ = run(str(tmp_path / "a"), "--out-dir", str(out))
    assert code == 0
    texts = sorted(p.read_text(encoding="utf-8").splitlines()[0] for p in out.iterdir())
    assert texts == ["# Story 1", "# Story 2"]


def test_resume_skips_newer_outputs_and_redoes_changed_inputs(tmp_path: Path) -> None:
    src, out = tmp_path / "pages", tmp_path / "out"
    paths = [p for p in make_pages(src, 6)]
    code, _, err = run(str(src), "--out-dir", str(out))
    assert (code, err) == (0, "6 cleaned, 0 failed\n")
    changed = paths[2]
    changed.write_text(story_page(99), encoding="utf-8")
    future = time.time() + 5
    os.utime(changed, (future, future))
    code, _, err = run(str(src), "--out-dir", str(out))
    assert (code, err) == (0, "1 cleaned, 0 failed, 5 skipped\n")
    assert "# Story 99" in output_path(
        Input(str(changed), changed, changed.relative_to(src)), out, "markdown").read_text()
    code, _, err = run(str(src), "--out-dir", str(out), "--force")
    assert (code, err) == (0, "6 cleaned, 0 failed\n")


def test_glob_and_input_list(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "story.php").write_text(story_page(1), encoding="utf-8")
    (tmp_path / "site" / "other.html").write_text(story_page(2), encoding="utf-8")
    code, out, _ = run(str(tmp_path / "site"), "--glob", "*.php", "-f", "jsonl")
    assert code == 0 and [json.loads(x)["title"] for x in out.splitlines()] == ["Story 1"]
    listing = tmp_path / "inputs.txt"
    listing.write_text(f"# two pages\n{tmp_path / 'site' / 'other.html'}\n\n"
                       f"{tmp_path / 'site' / 'story.php'}\n", encoding="utf-8")
    code, out, _ = run("-i", str(listing), "-f", "jsonl")
    assert code == 0
    assert [json.loads(x)["title"] for x in out.splitlines()] == ["Story 2", "Story 1"]
    code, _, err = run("-i", str(tmp_path / "nope.txt"))
    assert code == 2 and "cannot read input list" in err


def test_sweep_removes_only_temp_files_of_dead_processes(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    stale = tmp_path / f".a.md.{dead.stdout.strip()}.x1{TEMP_SUFFIX}"
    live = tmp_path / f".b.md.{os.getpid()}.x2{TEMP_SUFFIX}"
    keep = tmp_path / "c.md"
    for p in (stale, live, keep):
        p.write_text("x", encoding="utf-8")
    assert sweep_temp_files(tmp_path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, keep.name])


def test_output_file_is_not_created_when_interrupted_or_all_fail(tmp_path: Path) -> None:
    target = tmp_path / "all.jsonl"
    code, out, _ = run(str(tmp_path / "nope.html"), "-o", str(target), "-f", "markdown")
    assert (code, out) == (1, "")
    assert not target.exists() and not list(tmp_path.iterdir())


def _stderr_on_a_terminal(args: list[str]) -> tuple[int, str]:
    """Run evclean with stderr on a pseudo-terminal; what the terminal showed."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(evclean_cmd(*args), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=slave, env=env())
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def test_progress_and_summary_on_a_terminal_only(tmp_path: Path) -> None:
    src = tmp_path / "pages"
    make_pages(src, 160)  # page-050 and page-150 are broken
    errors = [line for line in expected_errors(src) if "page-250" not in line]
    code, screen = _stderr_on_a_terminal([str(src), "--out-dir", str(tmp_path / "a")])
    assert code == 1
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen).replace("\r", "\n")
    assert "cleaning" in text and "/160" in text  # the bar was drawn
    assert re.search(r"^158 cleaned, 2 failed, 0 skipped in \d+\.\d s \([\d.,]+ pages/s\)$",
                     text, re.MULTILINE)
    assert re.search(r"^failed: 1 binary data; 1 empty input$", text, re.MULTILINE)
    assert re.search(r"^removed \d+ boilerplate blocks?, made \d+ repairs?$", text, re.MULTILINE)
    for line in errors:
        assert line in text
    code, screen = _stderr_on_a_terminal([str(src), "--out-dir", str(tmp_path / "b"), "-q"])
    assert code == 1
    assert sorted(screen.replace("\r", "").splitlines()) == errors  # no bar, no summary


def test_cold_start_imports_no_network_or_pool_code(tmp_path: Path) -> None:
    """One file: httpx, the process pool and rich are never imported (start-up cost)."""
    path = tmp_path / "one.html"
    path.write_text(story_page(1), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "evclean", str(path)],
                          capture_output=True, text=True, env=env(), check=True)
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines()}
    assert "evclean.pipeline" in imported
    for heavy in ("httpx", "concurrent.futures.process", "rich", "evclean.web"):
        assert heavy not in imported, heavy


@pytest.mark.parametrize(("size", "limit"), [("1k", "1,000"), ("2KiB", "2,048"),
                                             ("0.002M", "2,000"), ("1500", "1,500")])
def test_max_bytes_applies_to_files(tmp_path: Path, size: str, limit: str) -> None:
    path = tmp_path / "page.html"
    path.write_text(story_page(1) + f"<!-- {'padding ' * 400} -->", encoding="utf-8")
    n = path.stat().st_size
    code, out, err = run(str(path), "--max-bytes", size)
    assert (code, out) == (1, "")
    assert err == f"Error: {path}: {n:,} bytes is over the limit of {limit}\n"


def test_max_bytes_must_be_a_size() -> None:
    code, _, err = run("x.html", "--max-bytes", "lots")
    assert code == 2 and "'lots' is not a size such as 500k, 10M or 1G" in err


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_killed_process_not_yet_reaped_counts_as_dead(tmp_path: Path) -> None:
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # exited, but not waited for: a zombie
        state = Path(f"/proc/{zombie.pid}/stat").read_bytes().rsplit(b")", 1)[1][1:2]
        if state == b"Z":
            break
        time.sleep(0.01)
    stale = tmp_path / f".a.md.{zombie.pid}.x1{TEMP_SUFFIX}"
    stale.write_text("half", encoding="utf-8")
    try:
        assert sweep_temp_files(tmp_path) == 1
    finally:
        zombie.wait()
    assert not stale.exists()


def test_outputs_never_overwrite_inputs(tmp_path: Path) -> None:
    story = tmp_path / "story"  # no extension: its output is story.md
    story.write_text(story_page(1), encoding="utf-8")
    notes = tmp_path / "story.md"
    notes.write_text("# My notes\n\nNot a page, but an input all the same.\n", encoding="utf-8")
    code, _, err = run(str(tmp_path), "--glob", "*", "--out-dir", str(tmp_path))
    assert code == 1
    assert f"Error: {story}: its output {notes} would overwrite an input" in err.splitlines()
    assert notes.read_text(encoding="utf-8").startswith("# My notes")
    page_file = tmp_path / "page.html"
    page_file.write_text(story_page(2), encoding="utf-8")
    code, _, err = run(str(page_file), "-o", str(page_file))
    assert code == 2 and "is one of the inputs; it would be overwritten" in err
    assert page_file.read_text(encoding="utf-8") == story_page(2)
