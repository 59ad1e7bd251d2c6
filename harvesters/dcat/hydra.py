"""Hydra paging of RDF catalogues: the next page and the announced total, in both Hydra generations.

udata and piveau write hydra:PartialCollectionView + hydra:next; older exports (and udata tests)
write hydra:PagedCollection + hydra:nextPage. Both appear with IRIs or with plain string literals.
"""

from __future__ import annotations

from urllib.parse import urljoin

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")

NEXT = (HYDRA.next, HYDRA.nextPage)


def next_page(graph: Graph, page_url: str) -> str | None:
    """Absolute URL of the next page, or None on the last page.

    When a page holds several next links (a real udata page names its view inconsistently), the
    one on a view typed PartialCollectionView/PagedCollection wins, then the smallest by text.
    """
    found: list[tuple[int, str]] = []
    for predicate in NEXT:
        for view, target in graph.subject_objects(predicate):
            if not isinstance(target, URIRef | Literal) or not str(target).strip():
                continue
            typed = any(
                graph.triples((view, RDF.type, cls)) for cls in (HYDRA.PartialCollectionView, HYDRA.PagedCollection)
            )
            found.append((0 if typed else 1, urljoin(page_url, str(target).strip())))
    return sorted(found)[0][1] if found else None


def total_items(graph: Graph) -> int | None:
    """hydra:totalItems of the collection, when the page states it."""
    for value in graph.objects(None, HYDRA.totalItems):
        try:
            return int(str(value))
        except ValueError:
            continue
    return None
