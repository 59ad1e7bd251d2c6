"""IRIs every RDF syntax can write: characters N-Triples refuses are percent-encoded.

Real catalogues hold IRIs with spaces ("a b"), and broken or hostile input yields `^`, `\\` or `<`
inside IRIs; rdflib accepts them but raises a bare Exception when it writes them, which used to
stop a whole harvest or map stage (issue 17, found by the fuzz suite). Percent-encoding keeps the
value (it decodes back) and makes the record writable.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from rdflib import Graph, URIRef
from rdflib.term import Node

_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`]')
_IRI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def writable(node: Node) -> Node:
    """An IRI with characters N-Triples refuses, percent-encoded; other nodes as they are."""
    if isinstance(node, URIRef) and _BAD_IRI.search(node):
        return URIRef(quote(str(node).strip(), safe=_IRI_SAFE))
    return node


def repair_iris(graph: Graph) -> None:
    """Percent-encode, in place, every IRI of the graph that could not be serialised."""
    for s, p, o in list(graph):
        fixed = (writable(s), writable(p), writable(o))
        if fixed != (s, p, o):
            graph.remove((s, p, o))
            graph.add(fixed)  # type: ignore[arg-type]
