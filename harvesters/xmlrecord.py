"""Exclusive C14N of one harvested XML record, or the reason it cannot be kept.

A record may use an entity its page's DOCTYPE declares (even `&copy;`). luxcat parses with entity
resolution off (no XXE, no billion laughs), so such a reference stays an unresolved node that C14N
cannot write: that record is rejected alone with the entity named, and the run goes on (issue 17, F9).
"""

from __future__ import annotations

from lxml import etree


class UnwritableRecord(ValueError):
    """The record cannot be canonicalised; the message says why."""


def canonical_xml(element: etree._Element) -> bytes:
    """The element's exclusive C14N bytes; UnwritableRecord when it holds an entity reference."""
    entities = sorted({node.name for node in element.iter() if isinstance(node, etree._Entity)})
    if entities:
        names = ", ".join(f"&{name};" for name in entities)
        raise UnwritableRecord(f"uses DOCTYPE entity {names}: entities are never expanded, the record is not kept")
    try:
        return etree.tostring(element, method="c14n", exclusive=True)
    except (etree.C14NError, ValueError) as exc:
        raise UnwritableRecord(f"cannot be canonicalised: {exc}") from exc
