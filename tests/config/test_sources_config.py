"""Source registry: shipped files are valid, and broken files are reported precisely, all of them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from luxcat.cli import main
from luxcat.config import check_paths, load_source, resolve_secret
from luxcat.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "config" / "sources"

GOOD = """\
id: {id}
title: {{fr: Titre, en: Title}}
owner: {{name: STATEC}}
harvester:
  kind: csw
  options: {{url: "https://example.org/csw", page_size: 10}}
mapper: [iso19139]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize("path", sorted(SOURCES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_source_is_valid(path: Path) -> None:
    configs, problems = check_paths([path])
    assert problems == []
    assert configs[0].id == path.stem


def test_shipped_real_sources_are_present_and_network_ones_disabled() -> None:
    inspire = load_source("geoportail-inspire", SOURCES)
    assert str(inspire.harvester.options["url"]).startswith("https://catalog.inspire.geoportail.lu/")
    assert inspire.enabled is False
    lustat = load_source("lustat-statec", SOURCES)
    assert lustat.harvester.options["url"] == "https://lustat.statec.lu/rest"
    assert lustat.enabled is False


def test_good_file_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "ok-source.yaml", GOOD.format(id="ok-source"))
    assert main(["sources", "check", str(tmp_path)]) == 0
    assert "1 source(s) valid: ok-source" in capsys.readouterr().out


def test_every_error_of_every_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "good.yaml", GOOD.format(id="good"))
    bad_url = write(
        tmp_path,
        "bad-url.yaml",
        GOOD.format(id="bad-url").replace('"https://example.org/csw"', '"not a url"').replace("10}", "0}"),
    )
    typo = write(tmp_path, "typo.yaml", GOOD.format(id="typo") + "shedule: daily\n")
    syntax = write(tmp_path, "syntax.yaml", "id: syntax\ntitle: [unclosed\n")
    unknown = write(tmp_path, "unknown-kind.yaml", GOOD.format(id="unknown-kind").replace("kind: csw", "kind: ftp"))
    assert main(["sources", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"{bad_url}: harvester.options.url: ") for line in out), out
    assert any(line.startswith(f"{bad_url}: harvester.options.page_size: ") for line in out), out
    assert f"{typo}: shedule: Extra inputs are not permitted" in out
    assert any(line.startswith(f"{syntax}: invalid YAML: line ") for line in out), out
    assert any(line.startswith(f"{unknown}: harvester.kind: unknown harvester 'ftp'") for line in out), out
    assert not any(line.startswith(str(tmp_path / "good.yaml")) for line in out)


def test_missing_required_fields_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, "bare.yaml", "id: bare\nharvester: {kind: csw}\n")
    _, problems = check_paths([path])
    paths = {p.path for p in problems}
    assert {"title", "owner", "mapper"} <= paths


def test_file_name_differing_from_id_is_a_warning_and_the_id_finds_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "file-name.yaml", GOOD.format(id="other-name"))
    configs, problems = check_paths([path])
    assert problems == [] and [c.id for c in configs] == ["other-name"]
    assert load_source("other-name", tmp_path).id == "other-name"  # the id lives in the file, not its name
    assert main(["sources", "check", str(path)]) == 0
    err = capsys.readouterr().err
    assert "warning: the file name 'file-name' differs from its id 'other-name'" in err


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    write(tmp_path, "dup.yaml", GOOD.format(id="dup"))
    (tmp_path / "sub").mkdir()
    second = write(tmp_path / "sub", "dup.yaml", GOOD.format(id="dup"))
    _, problems = check_paths([tmp_path, second])
    assert [p.message for p in problems] == [f"'dup' is already defined in {tmp_path / 'dup.yaml'}"]


def test_literal_secret_is_refused_and_env_reference_accepted(tmp_path: Path) -> None:
    text = GOOD.format(id="secret") + "publish:\n  - target: data.public.lu\n    options: {api_key: abc123}\n"
    path = write(tmp_path, "secret.yaml", text)
    _, problems = check_paths([path])
    assert [str(p) for p in problems] == [
        f"{path}: publish.0.options.api_key: secrets must be an ${{ENV_VAR}} reference, not a value"
    ]
    write(tmp_path, "secret.yaml", text.replace("abc123", '"${UDATA_API_KEY}"'))
    assert check_paths([path])[1] == []


def test_non_commercial_licence_and_unknown_language_refused(tmp_path: Path) -> None:
    text = GOOD.format(id="nc") + (
        "licence: http://publications.europa.eu/resource/authority/licence/CC_BYNC_4_0\nlanguages: [fr, xx]\n"
    )
    path = write(tmp_path, "nc.yaml", text)
    _, problems = check_paths([path])
    by_path = {p.path: p.message for p in problems}
    assert "non-commercial" in by_path["licence"]
    assert "unknown language" in by_path["languages"]


def test_bad_schedule(tmp_path: Path) -> None:
    path = write(tmp_path, "cron.yaml", GOOD.format(id="cron") + 'schedule: "every day"\n')
    _, problems = check_paths([path])
    assert [p.path for p in problems] == ["schedule"]


def test_resolve_secret_reads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUXCAT_TEST_KEY", "s3cr3t")
    assert resolve_secret("${LUXCAT_TEST_KEY}", what="api_key") == "s3cr3t"
    monkeypatch.delenv("LUXCAT_TEST_KEY")
    with pytest.raises(ConfigError, match="LUXCAT_TEST_KEY is not set"):
        resolve_secret("${LUXCAT_TEST_KEY}", what="api_key")


def test_unknown_source_lists_known_ones() -> None:
    with pytest.raises(ConfigError, match="known: .*geoportail-inspire"):
        load_source("nope", SOURCES)


def test_missing_path_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sources", "check", str(tmp_path / "absent.yaml")]) == 1
    assert "no such file or directory" in capsys.readouterr().err


def test_unknown_validation_profile(tmp_path: Path) -> None:
    path = write(tmp_path, "prof.yaml", GOOD.format(id="prof") + "validation: {profile: dcat-ap-9}\n")
    _, problems = check_paths([path])
    assert [p.path for p in problems] == ["validation.profile"]
    assert "known: dcat-ap-2.1.1" in problems[0].message


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """YAML whose last anchor expands to width**levels strings (387,420,489 for 9 x 9)."""
    lines = ['a0: &a0 "lol"']
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_is_refused_fast_by_check_and_dag_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17, F18: 9 levels x 9 aliases used to hang `sources check` and the DAG scan of every source."""
    import time

    from luxcat.airflow.dags import scan_sources

    bomb = alias_bomb()
    assert len(bomb) < 1_000
    write(tmp_path, "bomb.yaml", bomb + GOOD.format(id="bomb"))
    write(tmp_path, "good.yaml", GOOD.format(id="good"))
    start = time.perf_counter()
    assert main(["sources", "check", str(tmp_path)]) == 1
    out = capsys.readouterr()
    assert "bomb.yaml" in out.err + out.out and "expands to more than 100,000 nodes" in out.err + out.out
    scan = scan_sources(tmp_path)
    assert time.perf_counter() - start < 10
    assert [c.id for c in scan.sources] == ["good"]
    (problems,) = scan.broken.values()
    assert any("through aliases" in p.message for p in problems)


def test_recursive_alias_and_python_tags_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "loop.yaml", GOOD.format(id="loop") + "extra: &x [1, *x]\n")
    write(tmp_path, "py.yaml", GOOD.format(id="py") + "extra: !!python/object/apply:os.system ['true']\n")
    _, problems = check_paths([tmp_path])
    messages = {Path(p.file).name: p.message for p in problems}
    assert "recursive" in messages["loop.yaml"] or "alias" in messages["loop.yaml"]
    assert "python/object/apply" in messages["py.yaml"]
