"""Benchmark: the issue 17 input bounds, each against rdflib's own code measured in the same run.

Run by hand: .venv/bin/python bench/bench_hardening.py
Prints CPU seconds (time.process_time) and ratios:
- N-Triples with one long literal (F5): luxcat.ntriples.parse_ntriples vs rdflib's reader, at
  n and 4n characters (linear: about 4x; rdflib: about 16x, quadratic in escapes).
- Blank-node canonicalisation (F4): luxcat.rdfcanon vs rdflib.compare.to_canonical_graph for a
  dataset with n distinct, and with n identical, blank-node distributions. rdflib gets small n
  only (identical nodes are a permutation search for it: 150 never finished).
- Billion laughs in RDF/XML (F20): refused by luxcat.rdfparse before rdflib, in seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from luxcat.ntriples import parse_ntriples
from luxcat.rdfcanon import canonical_graph
from luxcat.rdfparse import RefusedInput, parse_rdf


def cpu(fn: Callable[[], Any]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def literal_record(size: int) -> str:
    text = 'a "quoted" \\ line\n' * (size // 18)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'<http://example.org/d> <http://purl.org/dc/terms/description> "{escaped}"@en .\n'


def distributions(n: int, *, identical: bool) -> Graph:
    dists = ",\n".join(
        f'[ a dcat:Distribution ; dcat:accessURL <http://example.org/f{"" if identical else i}.csv> ]'
        for i in range(n)
    )
    body = f"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
<http://example.org/d> a dcat:Dataset ; dcat:distribution {dists} ."""
    return Graph().parse(data=body, format="turtle")


def ntriples() -> None:
    print("F5  N-Triples, one literal             luxcat s   rdflib s   rdflib/luxcat")
    previous: tuple[float, float] | None = None
    for size in (250_000, 1_000_000):
        data = literal_record(size)
        ours = cpu(lambda data=data: parse_ntriples(data))
        theirs = cpu(lambda data=data: Graph().parse(data=data, format="nt"))
        growth = ""
        if previous:
            growth = f"   growth x4 size: luxcat {ours / previous[0]:.1f}x rdflib {theirs / previous[1]:.1f}x"
        print(f"    {size:>9,} chars                   {ours:8.3f}   {theirs:8.3f}   {theirs / ours:8.0f}x{growth}")
        previous = (max(ours, 1e-6), max(theirs, 1e-6))
    big = literal_record(4_000_000)
    print(f"    4,000,000 chars (luxcat only)      {cpu(lambda: parse_ntriples(big)):8.3f}")


def canonical() -> None:
    print("F4  blank-node canonicalisation        luxcat s   rdflib s   rdflib/luxcat")
    for n, identical in ((100, False), (400, False), (6, True), (8, True)):
        graph = distributions(n, identical=identical)
        ours = cpu(lambda graph=graph: canonical_graph(graph))
        theirs = cpu(lambda graph=graph: to_canonical_graph(graph))
        kind = "identical" if identical else "distinct"
        print(f"    {n:>5} {kind:<9} distributions      {ours:8.3f}   {theirs:8.3f}   {theirs / max(ours, 1e-6):8.0f}x")
    for n, identical in ((150, True), (2000, False), (8000, False)):
        graph = distributions(n, identical=identical)
        kind = "identical" if identical else "distinct"
        ours = cpu(lambda graph=graph: canonical_graph(graph))
        print(f"    {n:>5} {kind:<9} distributions      {ours:8.3f}   (rdflib: not run)")


def laughs() -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = f"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{entities}]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://x/d">
<rdf:value>&l9;</rdf:value></rdf:Description></rdf:RDF>""".encode()

    def refuse() -> None:
        try:
            parse_rdf(body, "xml")
        except RefusedInput:
            return
        raise AssertionError("billion laughs accepted")

    print(f"F20 billion laughs refused in           {cpu(refuse):8.3f} s (rdflib alone: 264 s, not run)")


if __name__ == "__main__":
    ntriples()
    canonical()
    laughs()
