"""SDMX-ML structure messages derived from LUSTAT's real SDMX-JSON answers (no structure was recorded).

The two recordings (`GET .../data/LU1,DSD_PRIX_ESSENCE@DF_E530{1,2},1.0/all?...&format=jsondata`,
2026-06-10, see tests/data/sdmx/SOURCES.md) carry the dataflow's name, description and annotations
(including .Stat Suite's `NonProductionDataflow`), the DSD's URN, every component with its concept
name and the codes used. This module turns exactly that content into what LUSTAT's
`/dataflow/LU1/all/latest`, `/datastructure/LU1/DSD_PRIX_ESSENCE/1.0?references=children` and
`/contentconstraint/LU1/all/latest` would contain, written by sdmx1. Nothing is invented except the
constraint ids (.Stat Suite's `CR_A_<dataflow>` naming, as in OECD/actualconstraint-0.xml) and
codelist/concept-scheme ids (`CL_<component>`, `CS_LUSTAT`), which the JSON does not give.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sdmx
from lxml import etree
from sdmx import message
from sdmx.model import common, v21

FLOWS = {
    "DSD_PRIX_ESSENCE@DF_E5301": "lu_lustat_essence_slice.json",
    "DSD_PRIX_ESSENCE@DF_E5302": "lu_lustat_diesel_slice.json",
}
AGENCY = common.Agency(id="LU1")
STR = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
COM = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"


def _load(folder: Path) -> dict[str, dict[str, Any]]:
    return {flow: json.loads((folder / name).read_text())["data"] for flow, name in FLOWS.items()}


def _annotations(items: list[dict[str, Any]]) -> list[common.Annotation]:
    return [
        v21.Annotation(id=a.get("id"), title=a.get("title"), type=a.get("type"), text=a.get("texts") or {})
        for a in items
    ]


def _structure(data: dict[str, Any]) -> tuple[v21.DataStructureDefinition, list[Any], common.ConceptScheme]:
    """DSD, codelists and concept scheme from one SDMX-JSON data message's structure section."""
    st = data["structures"][0]
    concepts = common.ConceptScheme(id="CS_LUSTAT", maintainer=AGENCY, version="1.0", name={"en": "Concepts"})
    dsd = v21.DataStructureDefinition(id="DSD_PRIX_ESSENCE", maintainer=AGENCY, version="1.0")
    codelists = []
    components = [(d, "dim") for d in st["dimensions"]["observation"]]
    components += [(a, "attr") for a in st["attributes"]["dataSet"] + st["attributes"]["observation"]]
    for comp, kind in components:
        concept = common.Concept(id=comp["id"], name=comp.get("names") or {})
        concepts.append(concept)
        rep = None
        if comp["id"] != "TIME_PERIOD" and comp.get("values"):
            cl = common.Codelist(id=f"CL_{comp['id']}", maintainer=AGENCY, version="1.0", name=comp.get("names") or {})
            for value in comp["values"]:
                cl.append(common.Code(id=value["id"], name=value.get("names") or {}))
            codelists.append(cl)
            rep = common.Representation(enumerated=cl)
        if kind == "dim" and comp["id"] == "TIME_PERIOD":
            dsd.dimensions.append(common.TimeDimension(id="TIME_PERIOD", concept_identity=concept))
        elif kind == "dim":
            dsd.dimensions.append(common.Dimension(id=comp["id"], concept_identity=concept, local_representation=rep))
        else:
            dsd.attributes.append(v21.DataAttribute(id=comp["id"], concept_identity=concept, local_representation=rep))
    obs_value = common.Concept(id="OBS_VALUE", name={"en": "Observation value"})
    concepts.append(obs_value)
    dsd.measures.append(v21.PrimaryMeasure(id="OBS_VALUE", concept_identity=obs_value))
    return dsd, codelists, concepts


def _dataflow(flow: str, data: dict[str, Any], dsd: Any) -> v21.DataflowDefinition:
    st = data["structures"][0]
    return v21.DataflowDefinition(
        id=flow,
        maintainer=AGENCY,
        version="1.0",
        name=st.get("names") or {},
        description=st.get("descriptions") or {},
        annotations=_annotations(st.get("annotations", [])),
        structure=dsd,
    )


def _constraint(flow: str, data: dict[str, Any], df: Any, dsd: Any) -> v21.ContentConstraint:
    """Actual constraint: the codes and the time range present in the recorded answer."""
    st = data["structures"][0]
    region = common.CubeRegion(included=True)
    for comp in st["dimensions"]["observation"]:
        dim = dsd.dimensions.get(comp["id"])
        if comp["id"] == "TIME_PERIOD":
            continue  # sdmx1 cannot write a TimeRange: added by _add_time_ranges
        values = [v21.MemberValue(value=v["id"]) for v in comp["values"]]
        region.member[dim] = v21.MemberSelection(values_for=dim, values=values)
    return v21.ContentConstraint(
        id=f"CR_A_{flow}",
        maintainer=AGENCY,
        version="1.0",
        name={"en": f"Availability for {flow}"},
        role=common.ConstraintRole(role=common.ConstraintRoleType.actual),
        content={df},
        data_content_region=[region],
    )


def _time_range(data: dict[str, Any]) -> tuple[str, str]:
    """First and last time period of the recorded observations."""
    comp = next(c for c in data["structures"][0]["dimensions"]["observation"] if c["id"] == "TIME_PERIOD")
    return min(v["start"] for v in comp["values"]), max(v["end"] for v in comp["values"])


def _add_time_ranges(xml: bytes, loaded: dict[str, dict[str, Any]]) -> bytes:
    """Append the TIME_PERIOD TimeRange to each cube region, as .Stat Suite writes it."""
    root = etree.fromstring(xml)
    ns = {"str": STR, "com": COM}
    for constraint in root.iterfind(".//str:ContentConstraint", ns):
        start, end = _time_range(loaded[constraint.get("id").removeprefix("CR_A_")])
        region = constraint.find("str:CubeRegion", ns)
        key_value = etree.SubElement(region, f"{{{COM}}}KeyValue", id="TIME_PERIOD")
        time_range = etree.SubElement(key_value, f"{{{COM}}}TimeRange")
        etree.SubElement(time_range, f"{{{COM}}}StartPeriod", isInclusive="true").text = start
        etree.SubElement(time_range, f"{{{COM}}}EndPeriod", isInclusive="true").text = end
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def messages(folder: Path) -> dict[str, bytes]:
    """SDMX-ML bytes for the listing, the DSD query and the constraint query."""
    loaded = _load(folder)
    dsd, codelists, concepts = _structure(next(iter(loaded.values())))
    listing = message.StructureMessage()
    structure = message.StructureMessage()
    constraints = message.StructureMessage()
    dsd_ref = v21.DataStructureDefinition(id=dsd.id, maintainer=AGENCY, version="1.0", is_external_reference=True)
    for flow, data in loaded.items():
        listing.add(_dataflow(flow, data, dsd_ref))
        constraints.add(_constraint(flow, data, _dataflow(flow, data, dsd_ref), dsd))
    structure.add(dsd)
    structure.add(concepts)
    for cl in codelists:
        structure.add(cl)
    return {
        "listing": sdmx.to_xml(listing),
        "structure": sdmx.to_xml(structure),
        "constraints": _add_time_ranges(sdmx.to_xml(constraints), loaded),
    }
