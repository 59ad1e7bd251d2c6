"""The exit-code contract of every command, run as a user runs it: a real `luxcat` process per case.

0 success, 1 the data is bad, 2 the user or the configuration is wrong; a user or data error is one
line on stderr (what, where and a hint) and never a traceback, unless --debug or LUXCAT_DEBUG=1.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ISO = REPO / "config" / "demo" / "iso19139" / "pycsw-apiso__pacioos-NS06agg.xml"
ESTAT = REPO / "tests" / "data" / "sdmx" / "ESTAT" / "GOV_10Q_GGNFA.xml"
DCAT_TTL = REPO / "tests" / "validators" / "data" / "lu_dataset_valid.ttl"
INVENTORY_YAML = REPO / "config" / "sources" / "demo-inventory.yaml"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


@pytest.fixture
def luxcat(tmp_path: Path):  # -> Callable[..., Result]
    """Run `python -m luxcat.cli ARGS` in a fresh process with its own home and sources folder."""
    sources = tmp_path / "sources"
    sources.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUXCAT_")}
    env.update(
        PYTHONPATH=str(REPO),
        LUXCAT_HOME=str(tmp_path / "home"),
        LUXCAT_SOURCES=str(sources),
        LUXCAT_PUBLISH_CONFIG=str(REPO / "config" / "publish.yaml"),
    )

    def run(*args: str, **extra_env: str) -> Result:
        done = subprocess.run(
            [sys.executable, "-m", "luxcat.cli", *args],
            cwd=tmp_path,
            env={**env, **extra_env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    run.sources = sources  # type: ignore[attr-defined]
    run.tmp = tmp_path  # type: ignore[attr-defined]
    return run


def one_error_line(result: Result, code: int, *needles: str) -> str:
    """Exactly one line on stderr, an `error: ... (hint: ...)` line naming what, and the exit code."""
    assert result.code == code, (result.code, result.err)
    assert "Traceback" not in result.err, result.err
    assert len(result.err_lines) == 1, result.err
    line = result.err_lines[0]
    assert line.startswith("error: ") and "(hint: " in line, line
    for needle in needles:
        assert needle in line, (needle, line)
    return line


def test_help_documents_the_contract(luxcat) -> None:
    result = luxcat("--help")
    assert result.code == 0
    assert "exit codes (every command):" in result.out
    for line in ("0  success", "1  the data is bad", "2  the user or the configuration is wrong"):
        assert line in result.out
    assert "exit codes (every command):" in luxcat("map", "--help").out


def test_unknown_source_everywhere_is_2(luxcat) -> None:
    one_error_line(luxcat("status", "nosuch"), 2, "unknown source 'nosuch'")
    one_error_line(luxcat("harvest", "nosuch"), 2, "unknown source 'nosuch'")
    one_error_line(luxcat("run", "nosuch"), 2, "unknown source 'nosuch'")
    assert luxcat("status").out.strip() == "no runs yet"  # nothing asked for, nothing wrong: 0


def test_missing_input_is_2_everywhere(luxcat) -> None:
    one_error_line(luxcat("map", "--from", "iso19139", "absent.xml"), 2, "absent.xml: no such file")
    one_error_line(luxcat("validate", "absent.ttl"), 2, "absent.ttl: no such file")
    one_error_line(luxcat("map", "--source", "absent.yaml", str(ISO)), 2, "absent.yaml: no such file")
    result = luxcat("sources", "check", "absent.yaml")
    assert result.code == 2 and "absent.yaml: no such file or directory" in result.err and "Traceback" not in result.err


def test_unwritable_output_is_2_with_one_line_and_debug_shows_the_traceback(luxcat) -> None:
    mapped = luxcat("map", "--from", "iso19139", str(ISO), "-o", "nodir/x.ttl")
    assert mapped.code == 2 and "Traceback" not in mapped.err
    assert mapped.err_lines == [
        "error: cannot write nodir/x.ttl: No such file or directory (hint: choose a writable -o path)"
    ]
    one_error_line(luxcat("validate", str(DCAT_TTL), "-o", "nodir/x.txt"), 2, "cannot write nodir/x.txt")
    for debug in (luxcat("map", "--from", "iso19139", str(ISO), "-o", "nodir/x.ttl", "--debug"),
                  luxcat("validate", str(DCAT_TTL), "-o", "nodir/x.txt", LUXCAT_DEBUG="1")):  # fmt: skip
        assert debug.code == 2
        assert "Traceback (most recent call last)" in debug.err and "FileNotFoundError" in debug.err


def test_mapper_options_on_the_command_line(luxcat) -> None:
    line = one_error_line(luxcat("map", "--from", "sdmx", str(ESTAT)), 2, "service_url")
    assert "--option service_url=" in line  # says which option is missing and how to pass it
    one_error_line(luxcat("map", "--from", "sdmx", "--option", "service_url", str(ESTAT)), 2, "expected KEY=VALUE")
    one_error_line(luxcat("map", "--from", "sdmx", "--option", "servce_url=x", str(ESTAT)), 2, "servce_url")
    one_error_line(luxcat("map", "--from", "nosuch", str(ESTAT)), 2, "unknown mapper 'nosuch'")
    ok = luxcat("map", "--from", "sdmx", "--option", "service_url=https://example.org/rest", str(ESTAT))
    assert ok.code == 0 and ok.err_lines == ["1 record(s) mapped, 0 failed"]
    assert "https://example.org/rest" in ok.out


def test_map_data_errors_are_1(luxcat) -> None:
    bad = luxcat.tmp / "broken.xml"
    bad.write_text("<gmd:MD_Metadata xmlns:gmd='http://www.isotc211.org/2005/gmd'>", encoding="utf-8")
    result = luxcat("map", "--from", "iso19139", str(bad))
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err_lines[0].startswith(f"{bad}: unparsable: ")


def test_validate_codes(luxcat) -> None:
    assert luxcat("validate", str(DCAT_TTL)).code == 0
    empty = luxcat("validate", str(REPO / "config" / "demo" / "iso19139" / "semic__network-service.xml"))
    one_error_line(empty, 1, "no DCAT resources found in", "semic__network-service.xml")
    assert "0 dataset(s)" in empty.out
    broken = luxcat.tmp / "broken.ttl"
    broken.write_text("not turtle <<<", encoding="utf-8")
    one_error_line(luxcat("validate", str(broken)), 1, f"cannot parse {broken} as RDF")


def test_sources_check_and_run_all_with_a_broken_file(luxcat) -> None:
    good = INVENTORY_YAML.read_text(encoding="utf-8").replace(
        "location: config/demo/", f"location: {REPO}/config/demo/"
    )
    (luxcat.sources / "demo-inventory.yaml").write_text(good, encoding="utf-8")
    (luxcat.sources / "broken.yaml").write_text("id: broken\ntitle: Broken\n", encoding="utf-8")
    check = luxcat("sources", "check")
    assert check.code == 2 and "broken.yaml: owner: Field required" in check.out and "Traceback" not in check.err
    result = luxcat("run", "--all")
    assert result.code == 2, result.err  # after running the valid source
    assert "demo-inventory: 5 seen, 5 new" in result.out  # the other source ran (its rejects alone would be 1)
    assert "broken.yaml: owner: Field required" in result.err and "Traceback" not in result.err
    assert result.err_lines[-1].startswith("error: 3 problem(s) in the source files; their sources did not run")
    again = luxcat("run", "demo-inventory")
    assert again.code == 1  # rejected rows: the data is bad
    assert luxcat("status", "demo-inventory").code == 0


def test_a_failed_source_is_1_and_a_disabled_one_2(luxcat) -> None:
    text = (
        "id: {id}\ntitle: {{en: t}}\nowner: {{name: owner}}\nenabled: {enabled}\n"
        "harvester: {{kind: csw, options: {{url: 'http://127.0.0.1:9/csw', retries: 0, timeout: 2}}}}\n"
        "mapper: [iso19139]\n"
    )
    (luxcat.sources / "down.yaml").write_text(text.format(id="down", enabled="true"), encoding="utf-8")
    (luxcat.sources / "paused.yaml").write_text(text.format(id="paused", enabled="false"), encoding="utf-8")
    one_error_line(luxcat("harvest", "down"), 1, "down: CSW http://127.0.0.1:9/csw", "connection failed")
    one_error_line(luxcat("harvest", "paused"), 2, "source is disabled", "luxcat sources preview")
    assert "FAILED" in luxcat("status", "down").out


def test_usage_errors_are_2(luxcat) -> None:
    result = luxcat("map")
    assert result.code == 2 and "Traceback" not in result.err and "usage: luxcat map" in result.err
    assert luxcat("nosuchcommand").code == 2


def test_serve_on_a_taken_port_is_2(luxcat) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = one_error_line(luxcat("serve", "--port", str(port)), 2, f"cannot listen on 127.0.0.1:{port}")
    assert "--port N" in line
