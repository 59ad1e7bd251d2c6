"""The per-dataflow payload: one deterministic JSON document built from sdmx1 artefacts.

Harvester and `luxcat map --from sdmx` both produce it, so a dataflow read from the service and the
same dataflow read from a structure message on disk hash alike. Keys are sorted and no fetch time is
included, so an unchanged dataflow has an unchanged content hash.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sdmx.model import common

from luxcat.records import canonical_json

SCHEMA = "luxcat-sdmx-dataflow/1"
MEDIA_TYPE = "application/vnd.luxcat.sdmx-dataflow+json"

Key = tuple[str, str, str]  # (agency, id, version): URN spellings differ between services


def key_of(artefact: Any) -> Key:
    """Identity of a maintainable artefact, independent of how its URN is spelled."""
    maintainer = getattr(artefact, "maintainer", None)
    agency = getattr(maintainer, "id", None) or ""
    return (agency, str(artefact.id), str(getattr(artefact, "version", None) or ""))


def record_id(dataflow: Any) -> str:
    """Version-less stable id of a dataflow ("AGENCY:ID"), so a version bump updates, not replaces."""
    agency, ident, _ = key_of(dataflow)
    return f"{agency}:{ident}"


def texts(value: Any, languages: tuple[str, ...] | None) -> dict[str, str]:
    """Every localisation of an InternationalString (or only the configured languages)."""
    if value is None:
        return {}
    found = {lang: text.strip() for lang, text in value.localizations.items() if text and text.strip()}
    if languages:
        found = {lang: text for lang, text in found.items() if lang in languages}
    return dict(sorted(found.items()))


def dataflow_urn(dataflow: Any) -> str:
    """The dataflow URN as SDMX 2.1 spells it."""
    agency, ident, version = key_of(dataflow)
    return f"urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow={agency}:{ident}({version or '1.0'})"


def annotations_of(artefact: Any, languages: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """Annotations as plain data (id, type, title, url, text by language), in source order."""
    out = []
    for ann in getattr(artefact, "annotations", None) or []:
        item = {
            "id": ann.id,
            "type": ann.type,
            "title": ann.title,
            "url": ann.url,
            "text": texts(ann.text, languages),
        }
        out.append({k: v for k, v in item.items() if v not in (None, {}, "")})
    return out


def is_complete_dsd(dsd: Any) -> bool:
    """True for a DSD with its components, False for a stub reference."""
    return dsd is not None and len(getattr(dsd, "dimensions", None) or []) > 0


@dataclass(slots=True)
class ConstraintInfo:
    """What a content constraint says about one dataflow: values per component, time coverage."""

    values: dict[str, set[str]] = field(default_factory=dict)
    start: str | None = None
    end: str | None = None


@dataclass(slots=True)
class StructureStore:
    """Artefacts collected from every message of a run, indexed once and shared by all dataflows."""

    languages: tuple[str, ...] | None = None
    code_components: tuple[str, ...] = ("FREQ", "UNIT_MEASURE", "UNIT")
    max_codes: int = 12
    dataflows: dict[Key, Any] = field(default_factory=dict)
    structures: dict[Key, Any] = field(default_factory=dict)
    codelists: dict[Key, Any] = field(default_factory=dict)
    concept_schemes: dict[Key, Any] = field(default_factory=dict)
    categories: dict[str, Any] = field(default_factory=dict)  # category URN -> Category
    categorisations: dict[Key, list[str]] = field(default_factory=dict)  # dataflow key -> category URNs
    actual: dict[Key, ConstraintInfo] = field(default_factory=dict)
    allowed: dict[Key, ConstraintInfo] = field(default_factory=dict)

    def add(self, message: Any) -> None:
        """Index every artefact of one structure message (later messages complete earlier stubs)."""
        for dsd in message.structure.values():
            if is_complete_dsd(dsd) or key_of(dsd) not in self.structures:
                self.structures[key_of(dsd)] = dsd
        for cl in message.codelist.values():
            if len(cl.items) or key_of(cl) not in self.codelists:
                self.codelists[key_of(cl)] = cl
        for cs in message.concept_scheme.values():
            self.concept_schemes[key_of(cs)] = cs
        for scheme in message.category_scheme.values():
            for category in scheme.items.values():
                self.categories[category_urn(category, scheme)] = category
        for df in message.dataflow.values():
            if not df.is_external_reference or key_of(df) not in self.dataflows:
                self.dataflows[key_of(df)] = df
        for cat in message.categorisation.values():
            self._add_categorisation(cat)
        for constraint in message.constraint.values():
            self._add_constraint(constraint)

    def _add_categorisation(self, cat: Any) -> None:
        """Remember which category a dataflow is filed under (other artefact kinds are ignored)."""
        artefact, category = cat.artefact, cat.category
        if not isinstance(artefact, common.BaseDataflow) or category is None:
            return
        urn = category_urn(category, None)
        if urn not in self.categories or not self.categories[urn].name.localizations:
            self.categories.setdefault(urn, category)
        urns = self.categorisations.setdefault(key_of(artefact), [])
        if urn not in urns:
            urns.append(urn)

    def _add_constraint(self, constraint: Any) -> None:
        """Keep actual and allowed cube regions per constrained dataflow."""
        role = getattr(getattr(constraint, "role", None), "role", None)
        target = self.actual if getattr(role, "name", "") == "actual" else self.allowed
        info = constraint_info(constraint)
        for attached in getattr(constraint, "content", None) or []:
            if isinstance(attached, common.BaseDataflow):
                target[key_of(attached)] = info

    def structure_for(self, dataflow: Any) -> Any | None:
        """The complete DSD of a dataflow, if any message of the run carried it."""
        ref = dataflow.structure
        if ref is None:
            return None
        dsd = self.structures.get(key_of(ref))
        if is_complete_dsd(dsd):
            return dsd
        return ref if is_complete_dsd(ref) else None

    def documents(self, dataflows: Iterable[Any], service: dict[str, str]) -> Iterator[tuple[str, dict]]:
        """(record id, payload document) for each dataflow."""
        for df in dataflows:
            yield record_id(df), self.document(df, service)

    def document(self, dataflow: Any, service: dict[str, str]) -> dict[str, Any]:
        """The payload document of one dataflow (see the module docstring)."""
        key = key_of(dataflow)
        dsd = self.structure_for(dataflow)
        constraint = self.actual.get(key) or self.allowed.get(key)
        actual = self.actual.get(key)
        return {
            "schema": SCHEMA,
            "service": dict(sorted(service.items())),
            "dataflow": {
                "agency": key[0],
                "id": key[1],
                "version": key[2] or "1.0",
                "urn": dataflow_urn(dataflow),
                "name": texts(dataflow.name, self.languages),
                "description": texts(dataflow.description, self.languages),
                "annotations": annotations_of(dataflow, self.languages),
                "valid_from": _iso(getattr(dataflow, "valid_from", None)),
                "valid_to": _iso(getattr(dataflow, "valid_to", None)),
            },
            "structure": self._structure(dsd, constraint) if dsd is not None else None,
            "categories": [self.category(urn) for urn in sorted(self.categorisations.get(key, []))],
            "time_coverage": (
                {"start": actual.start, "end": actual.end} if actual and (actual.start or actual.end) else None
            ),
        }

    def _structure(self, dsd: Any, constraint: ConstraintInfo | None) -> dict[str, Any]:
        """Components of a DSD, with the codes of the frequency and unit components."""
        agency, ident, version = key_of(dsd)
        urn = f"urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure={agency}:{ident}({version or '1.0'})"
        groups = {
            "dimensions": dsd.dimensions.components,
            "attributes": dsd.attributes.components,
            "measures": dsd.measures.components,
        }
        out: dict[str, Any] = {"urn": urn, "id": ident, "agency": agency, "version": version or "1.0"}
        out["name"] = texts(dsd.name, self.languages)
        for group, components in groups.items():
            out[group] = [self._component(c, urn, group, constraint) for c in components]
        return out

    def _component(self, comp: Any, dsd_urn: str, group: str, constraint: ConstraintInfo | None) -> dict[str, Any]:
        """One dimension/attribute/measure: id, concept name, codelist and (for FREQ/unit) codes."""
        kind = {"dimensions": "Dimension", "attributes": "DataAttribute", "measures": "PrimaryMeasure"}[group]
        if isinstance(comp, common.TimeDimension):
            kind = "TimeDimension"
        comp_urn = dsd_urn.replace("datastructure.DataStructure=", f"datastructure.{kind}=") + f".{comp.id}"
        concept = comp.concept_identity
        item: dict[str, Any] = {"id": comp.id, "urn": comp_urn, "kind": kind}
        item["name"] = texts(getattr(concept, "name", None), self.languages) or self._concept_name(concept)
        codelist = self._codelist(comp)
        if codelist is not None:
            agency, cl_id, version = key_of(codelist)
            item["codelist"] = f"urn:sdmx:org.sdmx.infomodel.codelist.Codelist={agency}:{cl_id}({version or '1.0'})"
            if comp.id in self.code_components:
                item["codes"] = self._codes(codelist, item["codelist"], constraint, comp.id)
                # where the codes come from: the dataflow's own content constraint, or only its codelist
                constrained = constraint is not None and comp.id in constraint.values
                item["codes_from"] = "constraint" if constrained else "codelist"
        return item

    def _concept_name(self, concept: Any) -> dict[str, str]:
        """Name of a concept that the reader left unresolved, looked up in the stored schemes."""
        if concept is None:
            return {}
        for scheme in self.concept_schemes.values():
            found = scheme.items.get(concept.id)
            if found is not None and found.name.localizations:
                return texts(found.name, self.languages)
        return {}

    def _codelist(self, comp: Any) -> Any | None:
        """The complete codelist of a component, if its representation is enumerated."""
        rep = getattr(comp, "local_representation", None)
        enumerated = getattr(rep, "enumerated", None)
        if enumerated is None:
            return None
        stored = self.codelists.get(key_of(enumerated))
        return stored if stored is not None and len(stored.items) else enumerated

    def _codes(
        self, codelist: Any, codelist_urn: str, constraint: ConstraintInfo | None, comp_id: str
    ) -> list[dict[str, Any]] | None:
        """The codes a dataflow uses: constrained ones, else the codelist when it is small."""
        allowed = constraint.values.get(comp_id) if constraint else None
        codes = [c for c in codelist.items.values() if allowed is None or c.id in allowed]
        if allowed is None and len(codes) > self.max_codes:
            return None  # a long generic codelist says nothing about this dataflow
        base = codelist_urn.replace("codelist.Codelist=", "codelist.Code=")
        return [
            {"id": c.id, "urn": f"{base}.{c.id}", "name": texts(c.name, self.languages)}
            for c in sorted(codes, key=lambda c: c.id)
        ]

    def category(self, urn: str) -> dict[str, Any]:
        """A category with its path from the scheme root (ids and names), for topics and series."""
        category = self.categories.get(urn)
        path = []
        node = category
        while isinstance(node, common.Category):
            path.append({"id": node.id, "name": texts(node.name, self.languages)})
            node = node.parent
        scheme = urn.split("Category=", 1)[-1].split(")", 1)[0] + ")" if "Category=" in urn else ""
        return {
            "urn": urn,
            "scheme": scheme,
            "path": list(reversed(path)),
            "description": texts(getattr(category, "description", None), self.languages),
        }


def category_urn(category: Any, scheme: Any | None) -> str:
    """URN of a category with its full path (sdmx.urn.make drops the path)."""
    if getattr(category, "urn", None):
        return str(category.urn)
    path = []
    node = category
    while isinstance(node, common.Category):
        path.append(node.id)
        node = node.parent
    scheme = scheme if scheme is not None else node
    agency, ident, version = key_of(scheme) if scheme is not None else ("", "", "")
    return f"urn:sdmx:org.sdmx.infomodel.categoryscheme.Category={agency}:{ident}({version or '1.0'})." + ".".join(
        reversed(path)
    )


def constraint_info(constraint: Any) -> ConstraintInfo:
    """Values per component and the time range from the included cube regions of a constraint."""
    info = ConstraintInfo()
    for region in getattr(constraint, "data_content_region", None) or []:
        if not region.included:
            continue
        for dim, selection in region.member.items():
            for value in selection.values:
                period = getattr(value, "start", None), getattr(value, "end", None)
                if period != (None, None):
                    info.start = _iso(getattr(period[0], "period", None)) or info.start
                    info.end = _iso(getattr(period[1], "period", None)) or info.end
                else:
                    info.values.setdefault(dim.id, set()).add(str(getattr(value, "value", value)))
    return info


def _iso(value: Any) -> str | None:
    """ISO text of a date/datetime (or None)."""
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def encode(document: dict[str, Any]) -> bytes:
    """Deterministic bytes of a payload document."""
    return canonical_json(document)


def decode(payload: bytes) -> dict[str, Any]:
    """Parse a payload document, checking its schema tag."""
    document = json.loads(payload)
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise ValueError(f"not a {SCHEMA} document")
    return document
