"""Links a public catalogue must never carry: schemes other than http(s), link-local and metadata hosts.

A DCAT feed may hold `javascript:`, `data:` or `file:` access URLs, or point at the cloud metadata
service (`http://169.254.169.254/`): published verbatim they reach every portal that harvests the
national catalogue, and the URL checker would fetch them (issue 17, F15). Each such link is dropped
from its record with a Warning naming it, so nothing disappears silently. Loopback and private
addresses stay (the offline demo and test catalogues point at 127.0.0.1): unreachable from outside,
but not dangerous to whoever follows them.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, FOAF

from luxcat.records import ValidationIssue

VCARD_URL = URIRef("http://www.w3.org/2006/vcard/ns#hasURL")
LINK_PROPERTIES = (
    DCAT.accessURL,
    DCAT.downloadURL,
    DCAT.landingPage,
    DCAT.endpointURL,
    DCAT.endpointDescription,
    FOAF.page,
    FOAF.homepage,
    VCARD_URL,
)
# Cloud instance-metadata services (AWS, GCP, Azure, OpenStack answer on 169.254.169.254 or these names).
METADATA_NAMES = frozenset({"metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal"})


def unsafe_reason(url: str) -> str | None:
    """Why a link may not be published (None when it may)."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return "not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        return f"scheme {parts.scheme or '(none)'}: is not http or https"
    if not host:
        return "no host"
    if host in METADATA_NAMES:
        return f"host {host} is a cloud metadata service"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if address.is_link_local:
        return f"host {host} is a link-local address (cloud metadata service)"
    if address.is_unspecified or address.is_multicast:
        return f"host {host} is not a host address"
    return None


def drop_unsafe_links(graph: Graph) -> list[ValidationIssue]:
    """Remove every unsafe link of the record graph; one Warning per removed link."""
    issues = []
    for predicate in LINK_PROPERTIES:
        for subject, value in list(graph.subject_objects(predicate)):
            if not isinstance(value, URIRef):
                continue
            reason = unsafe_reason(str(value))
            if reason is None:
                continue
            graph.remove((subject, predicate, value))
            issues.append(
                ValidationIssue(
                    "Warning",
                    str(subject),
                    str(predicate),
                    str(value)[:300],
                    f"link dropped, never published: {reason}",
                    "luxcat:SafeLink",
                )
            )
    return issues
