"""`luxcat serve --port` on two ports over one export: every Hydra `next` and OAI-PMH resumption link works.

The export is written with publish.yaml's base URL (http://127.0.0.1:8080/); each `luxcat serve`
process (the real command, in its own process) must hand out links for the address it serves on.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
import yaml
from lxml import etree
from rdflib import URIRef

from publishers.targets import PublishConfig
from tests.publish.corpus import REPO, Loaded
from tests.publish.helpers import HYDRA, members, parse, run

OAI = "{http://www.openarchives.org/OAI/2.0/}"
EXPORTED_BASE = "http://127.0.0.1:8080/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def export(loaded: Loaded, publish_config: Callable[..., PublishConfig], tmp_path: Path) -> tuple[Path, int]:
    """The real records exported in pages of 3 with the shipped base URL; returns (folder, dataset count)."""
    cfg = publish_config(page_size=3, base_url=EXPORTED_BASE)
    plan = run(loaded, cfg)
    live = sum(1 for e in plan.entries if e.action not in ("skip", "delete"))
    data = yaml.safe_load((tmp_path / "publish.yaml").read_text(encoding="utf-8"))
    data["oai"] = {"page_size": 2}
    (tmp_path / "publish.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return Path(cfg.targets.catalogue.export), live


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[int, Path], str]]:
    """Start `python -m luxcat.cli serve --port N --export DIR`; returns its URL once it answers."""
    processes: list[subprocess.Popen[bytes]] = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUXCAT_")}
    env.update(
        PYTHONPATH=str(REPO), LUXCAT_HOME=str(tmp_path / "home"), LUXCAT_PUBLISH_CONFIG=str(tmp_path / "publish.yaml")
    )

    def start(port: int, folder: Path) -> str:
        cmd = [sys.executable, "-m", "luxcat.cli", "serve", "--port", str(port), "--export", str(folder)]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        processes.append(proc)
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                requests.get(url + "oai?verb=Identify", timeout=2)
                return url
            except requests.ConnectionError:
                time.sleep(0.2)
        raise AssertionError(f"luxcat serve on {port} did not answer")

    yield start
    for proc in processes:
        proc.terminate()
        proc.wait(timeout=10)


def follow_hydra(url: str, ext: str = "ttl") -> tuple[list[str], set[str]]:
    """Walk `hydra:next` from the first page; every link must be under `url` and answer 200."""
    accept = {"ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml"}[ext]
    response = requests.get(url + "catalogue", headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200
    graph = parse(response.content, ext)
    visited, datasets = [url + "catalogue"], set(members(graph, "https://data.public.lu/luxcat/catalogue"))
    while True:
        links = {str(o) for p in (HYDRA.next, HYDRA.first, HYDRA.last, HYDRA.previous) for o in graph.objects(None, p)}
        assert links and all(link.startswith(url) for link in links), links
        nexts = [str(o) for o in graph.objects(None, HYDRA.next)]
        if not nexts:
            return visited, datasets
        (link,) = nexts
        assert link not in visited
        page = requests.get(link, timeout=10)
        assert page.status_code == 200, link
        visited.append(link)
        graph = parse(page.content, ext)
        datasets |= set(members(graph, "https://data.public.lu/luxcat/catalogue"))


def follow_oai(url: str) -> tuple[int, int]:
    """ListIdentifiers to the end through each response's baseURL (`request`) and resumptionToken."""
    response = requests.get(url + "oai", params={"verb": "ListIdentifiers", "metadataPrefix": "dcat_ap"}, timeout=10)
    pages, headers = 0, 0
    while True:
        assert response.status_code == 200
        doc = etree.fromstring(response.content)
        base = doc.findtext(f"{OAI}request")
        assert base == url + "oai", base
        assert doc.find(f"{OAI}error") is None, response.text[:500]
        pages += 1
        headers += len(doc.findall(f"{OAI}ListIdentifiers/{OAI}header"))
        token = doc.findtext(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
        if not token:
            return pages, headers
        response = requests.get(base, params={"verb": "ListIdentifiers", "resumptionToken": token}, timeout=10)


def test_two_ports_every_link_works(export: tuple[Path, int], serve: Callable[[int, Path], str]) -> None:
    folder, live = export
    identify = requests.Session()
    results = []
    for port in (free_port(), free_port()):
        url = serve(port, folder)
        assert f"<baseURL>{url}oai</baseURL>" in identify.get(url + "oai?verb=Identify", timeout=10).text
        for ext in ("ttl", "jsonld", "rdf"):
            visited, datasets = follow_hydra(url, ext)
            assert len(visited) >= 3 and len(datasets) == live  # every page reached, every dataset once
            results.append((ext, len(visited)))
        pages, headers = follow_oai(url)
        assert pages >= 3 and headers >= live
        results.append(("oai", pages))
    assert results[: len(results) // 2] == results[len(results) // 2 :]  # the same walk on both ports
    file = requests.get(f"{url}pages/00001.ttl", timeout=10)  # a page file named directly is relinked too
    assert EXPORTED_BASE not in file.text and f"{url}pages/00002.ttl" in file.text


def test_base_url_option_names_the_public_address(export: tuple[Path, int], tmp_path: Path) -> None:
    """Behind a proxy the public address differs from the one served: --base-url sets it."""
    folder, _live = export
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUXCAT_")}
    env.update(
        PYTHONPATH=str(REPO), LUXCAT_HOME=str(tmp_path / "home"), LUXCAT_PUBLISH_CONFIG=str(tmp_path / "publish.yaml")
    )
    public = "https://catalogue.example.lu/luxcat/"
    cmd = [
        sys.executable,
        "-m",
        "luxcat.cli",
        "serve",
        "--port",
        str(port),
        "--export",
        str(folder),
        "--base-url",
        public,
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                first = requests.get(f"http://127.0.0.1:{port}/catalogue", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        graph = parse(first.content, "ttl")
        assert {str(o) for o in graph.objects(None, HYDRA.next)} == {f"{public}pages/00002.ttl"}
        assert (None, HYDRA.first, URIRef(f"{public}pages/00001.ttl")) in graph
        identify = requests.get(f"http://127.0.0.1:{port}/oai?verb=Identify", timeout=10).text
        assert f"<baseURL>{public}oai</baseURL>" in identify
    finally:
        proc.terminate()
        proc.wait(timeout=10)
