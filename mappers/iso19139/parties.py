"""Responsible parties: publisher (by role, documented fallback), contact points, attributions.

Publisher choice, first match wins: a resource party (citation/citedResponsibleParty, then
identificationInfo/pointOfContact) with role publisher, owner, custodian, distributor,
resourceProvider, originator, pointOfContact, principalInvestigator, author, processor, user; then
any resource party; then the metadata contact (gmd:contact); then the source's configured publisher.
Contact points: resource parties with role pointOfContact, else all resource parties, else the
metadata contact. Every named resource party whose role is neither pointOfContact nor publisher
(including the party chosen as publisher through another role, e.g. owner) also becomes a
prov:qualifiedAttribution with its INSPIRE role (GeoDCAT-AP), so no role is lost; its agent is
typed prov:Agent and the role dcat:Role (the classes GeoDCAT-AP's attribution shape asks for). Where
GeoDCAT-AP 2.0.0 defines a property for the role, the same agent is also linked directly:
owner -> dct:rightsHolder, author -> dct:creator, custodian / distributor / originator /
principalInvestigator / processor / resourceProvider / user -> geodcat:<role>.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
from rdflib import URIRef

from mappers.iso19139.rdf import DCAT, DCTERMS, FOAF, GEODCAT, PROV, TYPE, VCARD, is_http_uri, literal
from mappers.iso19139.state import RecordState
from mappers.iso19139.xml import Texts, code_value, find, findall, value

PUBLISHER_ROLES = (
    "publisher", "owner", "custodian", "distributor", "resourceProvider", "originator", "pointOfContact",
    "principalInvestigator", "author", "processor", "user",
)  # fmt: skip
ROLE_BASE = "http://inspire.ec.europa.eu/metadata-codelist/ResponsiblePartyRole/"
# GeoDCAT-AP 2.0.0 (section "Responsible party roles"): the property for each ISO role that has one,
# besides dct:publisher and dcat:contactPoint, which are chosen above.
ROLE_PROPERTIES = {
    "owner": DCTERMS.rightsHolder,
    "author": DCTERMS.creator,
    **{
        role: GEODCAT[role]
        for role in ("custodian", "distributor", "originator", "principalInvestigator", "processor",
                     "resourceProvider", "user")
    },
}  # fmt: skip
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


@dataclass(slots=True)
class Party:
    """What a CI_ResponsibleParty says about an organisation or person."""

    names: Texts
    individual: str
    emails: list[str]
    url: str
    role: str

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return (self.names[0][0] if self.names else self.individual, tuple(self.emails))


def _party(state: RecordState, element: etree._Element) -> Party | None:
    names = state.loc.texts(find(element, "gmd:organisationName"))
    individual = value(find(element, "gmd:individualName"))
    contact = find(element, "gmd:contactInfo/gmd:CI_Contact")
    emails: list[str] = []
    url = ""
    if contact is not None:
        for mail_el in findall(contact, "gmd:address/gmd:CI_Address/gmd:electronicMailAddress"):
            candidate = value(mail_el).removeprefix("mailto:").strip()
            if _EMAIL.match(candidate) and candidate not in emails:
                emails.append(candidate)
        url = value(find(contact, "gmd:onlineResource/gmd:CI_OnlineResource/gmd:linkage"))
    if not names and not individual and not emails:
        return None
    return Party(names, individual, emails, url if is_http_uri(url) else "", code_value(find(element, "gmd:role")))


def _parties(state: RecordState, path: str) -> list[Party]:
    return [p for p in (_party(state, el) for el in findall(state.ident, path)) if p is not None]


def add_parties(state: RecordState, fallback_publisher: dict[str, str]) -> None:
    """dct:publisher, dcat:contactPoint and prov:qualifiedAttribution from the record's parties."""
    resource = _parties(state, "gmd:citation/gmd:CI_Citation/gmd:citedResponsibleParty/gmd:CI_ResponsibleParty")
    resource += _parties(state, "gmd:pointOfContact/gmd:CI_ResponsibleParty")
    metadata = [
        p for p in (_party(state, el) for el in findall(state.root, "gmd:contact/gmd:CI_ResponsibleParty")) if p
    ]
    named = [p for p in resource if p.names or p.individual]
    publisher = next((p for role in PUBLISHER_ROLES for p in named if p.role == role), None)
    publisher = publisher or (named[0] if named else None)
    publisher = publisher or next((p for p in metadata if p.names or p.individual), None)
    if publisher is not None:
        state.out.add((state.subject, DCTERMS.publisher, _agent(state, publisher)))
    elif fallback_publisher.get("name"):
        _add_fallback_publisher(state, fallback_publisher)
    contacts = [p for p in resource if p.role == "pointOfContact"] or resource or metadata
    seen: set[tuple[str, str]] = set()
    for party in contacts:
        if party.key not in seen:
            seen.add(party.key)
            state.out.add((state.subject, DCAT.contactPoint, _vcard(state, party)))
    for party in named:
        if party.role in ("pointOfContact", "publisher", "") or not party.role.isalpha():
            continue
        _add_attribution(state, party)


def _add_attribution(state: RecordState, party: Party) -> None:
    """prov:qualifiedAttribution with the INSPIRE role, and the GeoDCAT-AP role property if any."""
    out = state.out
    node = out.bnode()
    agent = _agent(state, party)
    out.add((state.subject, PROV.qualifiedAttribution, node))
    out.add((node, TYPE, PROV.Attribution))
    out.add((node, PROV.agent, agent))
    out.add((agent, TYPE, PROV.Agent))
    out.add((node, DCAT.hadRole, out.typed(ROLE_BASE + party.role, DCAT.Role)))
    prop = ROLE_PROPERTIES.get(party.role)
    if prop is not None:
        out.add((state.subject, prop, agent))


def _agent(state: RecordState, party: Party) -> object:
    node = state.out.bnode()
    state.out.add((node, TYPE, FOAF.Agent))
    if party.names:
        state.out.add((node, TYPE, FOAF.Organization))
        state.out.texts(node, FOAF.name, party.names)
    else:
        state.out.add((node, TYPE, FOAF.Person))
        state.out.add((node, FOAF.name, literal(party.individual)))
    for email in party.emails:
        state.out.add((node, FOAF.mbox, URIRef("mailto:" + email)))
    if party.url:
        state.out.add((node, FOAF.homepage, URIRef(party.url)))
    return node


def _vcard(state: RecordState, party: Party) -> object:
    node = state.out.bnode()
    state.out.add((node, TYPE, VCARD.Kind))  # the class DCAT-AP's range shape checks (no inference)
    if party.names:
        state.out.add((node, TYPE, VCARD.Organization))
        state.out.texts(node, VCARD.fn, party.names)
    elif party.individual:
        state.out.add((node, TYPE, VCARD.Individual))
        state.out.add((node, VCARD.fn, literal(party.individual)))
    for email in party.emails:
        state.out.add((node, VCARD.hasEmail, URIRef("mailto:" + email)))
    if party.url:
        state.out.add((node, VCARD.hasURL, URIRef(party.url)))
    return node


def _add_fallback_publisher(state: RecordState, publisher: dict[str, str]) -> None:
    uri = publisher.get("uri", "")
    node = URIRef(uri) if uri and is_http_uri(uri) else state.out.bnode()
    state.out.add((state.subject, DCTERMS.publisher, node))
    state.out.add((node, TYPE, FOAF.Agent))
    state.out.add((node, FOAF.name, literal(publisher["name"])))
