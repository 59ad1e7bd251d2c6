"""GeoDCAT-AP dct:type: the INSPIRE resource type of every resource and the spatial data service type.

GeoDCAT-AP 2.0.0 types a resource with the INSPIRE ResourceType code list (dataset, series,
service: hierarchyLevel; ISO's default level is dataset) and a data service with the INSPIRE
SpatialDataServiceType code list (srv:serviceType: discovery, view, download, transformation,
invoke, other; OGC service names are read as the INSPIRE type they implement). Each concept is
typed skos:Concept with its English register label, the range DCAT-AP 3 checks for dct:type.
"""

from __future__ import annotations

from mappers.iso19139.online import service_type
from mappers.iso19139.rdf import DCTERMS, SKOS, literal
from mappers.iso19139.state import DATASET, SERVICE, RecordState
from mappers.iso19139.xml import code_value, find, value

RESOURCE_TYPE_BASE = "http://inspire.ec.europa.eu/metadata-codelist/ResourceType/"
SERVICE_TYPE_BASE = "http://inspire.ec.europa.eu/metadata-codelist/SpatialDataServiceType/"
# Labels as in the INSPIRE registry (English).
RESOURCE_TYPES = {"dataset": "Spatial data set", "series": "Spatial data set series", "service": "Spatial data service"}
SERVICE_TYPES = {
    "discovery": "Discovery Service",
    "view": "View Service",
    "download": "Download Service",
    "transformation": "Transformation Service",
    "invoke": "Invoke Spatial Data Service",
    "other": "Other Service",
}
# OGC/ATOM services whose INSPIRE type is unambiguous (a WPS may be a transformation or invoke service).
_OGC_SERVICE_TYPES = {"wms": "view", "wmts": "view", "wfs": "download", "wcs": "download", "atom": "download",
                      "csw": "discovery"}  # fmt: skip


def add_resource_type(state: RecordState) -> None:
    """dct:type <ResourceType/dataset|series|service> when hierarchyLevel says what the mapper made of it."""
    level = code_value(find(state.root, "gmd:hierarchyLevel")) or value(find(state.root, "gmd:hierarchyLevel"))
    level = level.lower() or DATASET  # ISO 19115: hierarchyLevel defaults to dataset
    if level == state.kind:  # nonGeographicDataset, tile, application...: no INSPIRE resource type
        _add_type(state, RESOURCE_TYPE_BASE + level, RESOURCE_TYPES[level])
    if state.kind == SERVICE:
        code = spatial_data_service_type(value(find(state.ident, "srv:serviceType")))
        if code:
            _add_type(state, SERVICE_TYPE_BASE + code, SERVICE_TYPES[code])


def spatial_data_service_type(declared: str) -> str | None:
    """INSPIRE service type code for a srv:serviceType (an INSPIRE code, or an OGC name such as OGC:WMS)."""
    code = declared.strip()
    if code in SERVICE_TYPES:
        return code
    if code.lower() in SERVICE_TYPES:
        return code.lower()
    ogc = service_type("", code) if code else None
    return _OGC_SERVICE_TYPES.get(ogc) if ogc else None


def _add_type(state: RecordState, uri: str, label: str) -> None:
    term = state.out.typed(uri, SKOS.Concept)
    state.out.add((state.subject, DCTERMS.type, term))
    state.out.add((term, SKOS.prefLabel, literal(label, "en")))
