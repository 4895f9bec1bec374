"""The command line: stdout carries results only, errors are one line each on stderr,
exit statuses are 0 (all cleaned), 1 (some input failed) and 2 (usage error)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from evclean.cli import main

EXAMPLE = FIXTURES / "examples" / "aggregator-xiaomi.html"
TITLE = "# Xiaomi Prepares To Take Its Electric Cars Overseas\n"


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_file_to_stdout() -> None:
    code, out, err = run(str(EXAMPLE))
    assert (code, err) == (0, "")
    assert out.startswith(TITLE)


def test_stdin_with_url() -> None:
    code, out, err = run("-", "--url", "https://mirror.example/p", stdin=EXAMPLE.read_bytes())
    assert (code, err) == (0, "")
    assert out.startswith(TITLE)
    assert "via <https://mirror.example/p>" in out


def test_missing_file_fails_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.html"
    code, out, err = run(str(missing))
    assert (code, out) == (1, "")
    assert err == f"Error: {missing}: no such file\n"


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty input"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary data, not an HTML page"),
    (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no article found"),
], ids=["empty", "binary", "no-article"])
def test_bad_file_fails_with_its_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.html"
    path.write_bytes(content)
    code, out, err = run(str(path))
    assert (code, out) == (1, "")
    assert err == f"Error: {path}: {reason}\n"


def test_one_failure_does_not_stop_the_others(tmp_path: Path) -> None:
    missing = tmp_path / "nope.html"
    code, out, err = run(str(missing), str(EXAMPLE))
    assert code == 1
    assert out.startswith(TITLE)
    assert err.splitlines() == [f"Error: {missing}: no such file", "1 cleaned, 1 failed"]


def test_quiet_drops_the_summary_but_not_errors(tmp_path: Path) -> None:
    code, _, err = run("-q", str(tmp_path / "nope.html"), str(EXAMPLE))
    assert code == 1
    assert err == f"Error: {tmp_path / 'nope.html'}: no such file\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--skip", "bogus", "x.html"], "unknown stage 'bogus'"),
    (["--skip", "extract", "x.html"], "stage 'extract' cannot be skipped"),
    (["-o", "a.md", "--out-dir", "d", "x.html"], "cannot be used together"),
    (["--format", "yaml", "x.html"], "Invalid value for '-f' / '--format'"),
    ([], "Missing argument 'INPUT...'"),
    (["-", "-"], "standard input (-) can be named only once"),
], ids=["unknown-stage", "unskippable", "o-and-out-dir", "bad-format", "no-input", "stdin-twice"])
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    code, out, err = run(*args)
    assert (code, out) == (2, "")
    assert message in err


def test_skip_repair_keeps_mojibake() -> None:
    mojibake = FIXTURES / "examples" / "aggregator-xiaomi-mojibake.html"
    _, repaired, _ = run(str(mojibake))
    _, raw, _ = run("--skip", "repair", str(mojibake))
    assert "â€™" in raw and "â€™" not in repaired


def test_json_format() -> None:
    code, out, _ = run("--format", "json", str(EXAMPLE))
    data = json.loads(out)
    assert code == 0
    assert data["source_url"].startswith("https://cleantechnica.com/")
    assert data["markdown"].startswith(TITLE)
    assert {"url", "title", "author", "published", "site_name", "language", "text",
            "report"} <= set(data)


def test_json_with_two_inputs_is_an_array_and_jsonl_is_lines(tmp_path: Path) -> None:
    _, out, _ = run("--format", "json", str(EXAMPLE), str(EXAMPLE))
    assert [a["title"] for a in json.loads(out)] == [TITLE[2:-1]] * 2
    _, out, _ = run("--format", "jsonl", str(EXAMPLE), str(tmp_path / "x.html"))
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0]["title"] == TITLE[2:-1]
    assert lines[1] == {"input": str(tmp_path / "x.html"),
                        "error": f"{tmp_path / 'x.html'}: no such file"}


def test_text_format() -> None:
    _, out, _ = run("--format", "text", str(EXAMPLE))
    assert out.startswith(TITLE[2:])
    assert "#" not in out and "](" not in out


def test_front_matter() -> None:
    _, out, _ = run("--front-matter", str(EXAMPLE))
    head, body = out.split("\n---\n", 1)
    assert head.startswith("---\ntitle: \"Xiaomi Prepares")
    assert 'source_url: "https://cleantechnica.com/' in head
    assert body.lstrip("\n").startswith(TITLE)


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    code, out, err = run("-o", str(target), str(EXAMPLE))
    assert (code, out, err) == (0, "", "")
    assert target.read_text(encoding="utf-8").startswith(TITLE)


def test_out_dir_mirrors_folder_and_never_overwrites_inputs(tmp_path: Path) -> None:
    src = tmp_path / "pages"
    (src / "sub").mkdir(parents=True)
    (src / "a.html").write_bytes(EXAMPLE.read_bytes())
    (src / "sub" / "b.htm").write_bytes(EXAMPLE.read_bytes())
    (src / "notes.txt").write_text("not html")
    code, out, _ = run(str(src), "--out-dir", str(tmp_path / "clean"))
    assert (code, out) == (0, "")
    assert sorted(p.relative_to(tmp_path / "clean").as_posix()
                  for p in (tmp_path / "clean").rglob("*")) == ["a.md", "sub", "sub/b.md"]
    assert (tmp_path / "clean" / "sub" / "b.md").read_text(encoding="utf-8").startswith(TITLE)
    assert (src / "a.html").read_bytes() == EXAMPLE.read_bytes()


def test_folder_without_html_fails(tmp_path: Path) -> None:
    code, out, err = run(str(tmp_path))
    assert (code, out) == (1, "")
    assert err == f"Error: {tmp_path}: folder holds no .html or .htm files\n"


def test_explain_reports_on_stderr_only() -> None:
    _, plain, _ = run(str(FIXTURES / "examples" / "aggregator-xiaomi-mojibake.html"))
    mojibake = FIXTURES / "examples" / "aggregator-xiaomi-mojibake.html"
    code, out, err = run("--explain", str(mojibake))
    assert code == 0 and out == plain
    assert "source-paragraph" in err and "mojibake" in err


def test_help_documents_every_option_and_exit_status() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for param in main.params:
        if param.param_type_name == "option":
            assert getattr(param, "help", None), f"{param.name} has no help text"
            for opt in param.opts:
                assert opt in out, opt
    assert "Exit status:" in out and "2  usage error" in out


def test_python_dash_m_works() -> None:
    proc = subprocess.run([sys.executable, "-m", "evclean", str(EXAMPLE)],
                          capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode("utf-8").startswith(TITLE)
