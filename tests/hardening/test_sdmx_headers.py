"""F19: SDMX `headers` take secrets only as ${ENV_VAR} references, expanded from the environment when sent.

A real SDMX harvest (sdmx1 client) of ECB's recorded dataflow message, served by a loopback server
that logs the headers it receives.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import sdmx.source
import yaml
from pydantic import ValidationError

from harvesters.sdmx import SdmxHarvester, SdmxHarvesterOptions
from luxcat.config import check_file
from luxcat.errors import ConfigError
from luxcat.records import RawRecord
from tests.hardening.hostile import Hostile

ECB = Path(__file__).resolve().parents[1] / "data" / "sdmx" / "ECB_EXR" / "structure-full.xml"


def serve_ecb(handler: BaseHTTPRequestHandler) -> None:
    body = ECB.read_bytes()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/vnd.sdmx.structure+xml; version=2.1")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.fixture
def ecb() -> Iterator[Hostile]:
    before = set(sdmx.source.sources)
    with Hostile({"/ecb/dataflow/ECB/all/latest": serve_ecb}) as server:
        yield server
    for name in set(sdmx.source.sources) - before:
        del sdmx.source.sources[name]


def options(url: str, headers: dict[str, str]) -> SdmxHarvesterOptions:
    return SdmxHarvesterOptions(
        source="ECB", agency="ECB", references="all", url=f"{url}/ecb", retries=0, timeout=10.0, headers=headers,
        categories=False, constraints=False,
    )  # fmt: skip


def test_env_reference_is_expanded_and_never_sent_literally(ecb: Hostile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDMX_KEY", "s3cr3t-value")
    monkeypatch.setenv("SDMX_TOKEN", "t0ken")
    headers = {"X-Api-Key": "${SDMX_KEY}", "Authorization": "Bearer ${SDMX_TOKEN}", "User-Agent": "luxcat-test"}
    harvester = SdmxHarvester("ecb", options(ecb.url, headers))
    records = [r for r in harvester.harvest() if isinstance(r, RawRecord)]
    assert records and ecb.log
    sent = ecb.log[0].headers
    assert sent["X-Api-Key"] == "s3cr3t-value" and sent["Authorization"] == "Bearer t0ken"
    assert not any("${" in value for s in ecb.log for value in s.headers.values())


@pytest.mark.parametrize(
    "headers",
    [{"X-Api-Key": "abc123"}, {"Authorization": "Bearer abc123"}, {"X-Custom": "Bearer abc123"},
     {"Authorization": "Bearer ${SDMX_TOKEN} abc123"}],
)  # fmt: skip
def test_literal_secret_is_a_config_error(headers: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="secrets must be"):
        options("http://127.0.0.1:9", headers)
    source = tmp_path / "sdmx-literal.yaml"
    data = {
        "id": "sdmx-literal",
        "title": "literal secret",
        "owner": {"name": "STATEC"},
        "mapper": ["sdmx"],
        "harvester": {"kind": "sdmx", "options": {"source": "ECB", "agency": "ECB", "headers": headers}},
    }
    source.write_text(yaml.safe_dump(data), encoding="utf-8")
    cfg, problems = check_file(source)
    assert cfg is None or problems
    assert any("headers" in str(p) and "secrets must be" in str(p) for p in problems), problems


def test_unset_variable_is_a_clear_config_error(ecb: Hostile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SDMX_KEY", raising=False)
    harvester = SdmxHarvester("ecb", options(ecb.url, {"X-Api-Key": "${SDMX_KEY}"}))
    with pytest.raises(ConfigError, match="SDMX_KEY is not set"):
        list(harvester.harvest())
    assert ecb.log == []
