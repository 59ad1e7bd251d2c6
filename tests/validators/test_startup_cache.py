"""The start-up cache (issue 19): same results from the cache, a new key for new inputs, safe writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from luxcat import startup_cache
from luxcat.startup_cache import cache_key, cached, dumps, loads

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "tests/data/dcat/semic-dcat-ap-examples/3.0.0/example-bee-population-2022-2023.ttl"


def test_rdflib_terms_round_trip_with_their_state() -> None:
    terms = [
        URIRef("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"),
        Literal("Licence", lang="en"),
        Literal("2024-05-01", datatype=XSD.date),
        Literal("2013-03-25 14:14 PM UTC", datatype=XSD.date),  # ill-typed, as in the INSPIRE register
        Literal(42),
    ]
    back = loads(dumps(terms))
    for old, new in zip(terms, back, strict=True):
        assert type(new) is type(old) and new == old
    assert back[2].value == terms[2].value and back[3].ill_typed and back[3].value is None


def test_cached_builds_once_then_loads_and_a_new_key_rebuilds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUXCAT_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "vocab.ttl"
    data.write_text("<http://x/a> <http://x/p> 'one'@en .\n", encoding="utf-8")
    builds: list[int] = []

    def build() -> Graph:
        builds.append(1)
        return Graph().parse(data, format="turtle")

    first = cached("vocab", cache_key("vocab", [data]), build)
    again = cached("vocab", cache_key("vocab", [data]), build)
    assert len(builds) == 1 and isomorphic(first, again)
    # the file changes: another key, a new build with the new content (never the stale graph)
    data.write_text("<http://x/a> <http://x/p> 'two'@en .\n", encoding="utf-8")
    changed = cached("vocab", cache_key("vocab", [data]), build)
    assert len(builds) == 2 and (URIRef("http://x/a"), URIRef("http://x/p"), Literal("two", lang="en")) in changed
    assert not list((tmp_path / "cache").glob(".*.tmp"))  # written through a temporary file, renamed


def test_a_corrupt_cache_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUXCAT_CACHE_DIR", str(tmp_path))
    key = cache_key("thing", [])
    cached("thing", key, lambda: {"a": 1})
    (path,) = tmp_path.glob("thing-*.pickle")
    path.write_bytes(path.read_bytes()[:5])
    assert cached("thing", key, lambda: {"a": 2}) == {"a": 2}
    assert cached("thing", key, lambda: {"a": 3}) == {"a": 2}


def test_cache_off_never_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUXCAT_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("LUXCAT_CACHE", "off")
    assert startup_cache.cache_dir() is None
    assert cached("thing", "k" * 64, lambda: 7) == 7
    assert list(tmp_path.iterdir()) == []


def test_validate_gives_the_same_report_cold_warm_and_uncached(tmp_path: Path) -> None:
    """Three real `luxcat validate` processes: building the cache, using it, and without it."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "LUXCAT_CACHE_DIR": str(tmp_path / "cache")}
    argv = [sys.executable, "-m", "luxcat.cli", "validate", "--format", "json", str(EXAMPLE)]

    def run(extra: dict[str, str]) -> str:
        done = subprocess.run(argv, env={**env, **extra}, cwd=REPO, capture_output=True, check=False)
        assert done.returncode in (0, 1), done.stderr.decode()[-2000:]
        return done.stdout.decode()

    cold = run({})
    cache_files = {p.name for p in (tmp_path / "cache").iterdir()}
    assert any(n.startswith("vocabulary-index-") for n in cache_files)
    assert any(n.startswith("shapes-dcat-ap-3.0.0-") for n in cache_files)
    warm = run({})
    uncached = run({"LUXCAT_CACHE": "off"})
    assert cold == warm == uncached and '"dataset"' in cold
