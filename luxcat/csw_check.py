"""What a CSW endpoint offers, read from its GetCapabilities with OWSLib, before luxcat harvests it.

luxcat's CSW harvester needs GetRecords with the gmd output schema (ISO 19139), sorted paging (a
stable order across pages) and the `apiso:Modified` queryable for incremental runs. OWSLib is the
design's CSW client; luxcat's venv has a current OWSLib while pycsw's own venv pins OWSLib<0.29,
which is why the two never share a venv (the version used is part of the result).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GMD = "http://www.isotc211.org/2005/gmd"


@dataclass(slots=True)
class CswCheck:
    """Each capability luxcat needs, with what the service said; `ok` only when all are there."""

    url: str
    owslib: str
    service: str = ""
    checks: dict[str, tuple[bool, str]] = field(default_factory=dict)  # name -> (offered, evidence)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and all(offered for offered, _ in self.checks.values())

    def render(self) -> str:
        lines = [f"CSW GetCapabilities of {self.url} (OWSLib {self.owslib}): {self.service or '-'}"]
        if self.error:
            lines.append(f"  FAILED: {self.error}")
        for name, (offered, evidence) in self.checks.items():
            lines.append(f"  {'yes' if offered else 'NO '}  {name}: {evidence}")
        if not self.error:
            lines.append("  ready for luxcat" if self.ok else "  NOT ready: see the NO lines")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "owslib": self.owslib,
            "service": self.service,
            "ok": self.ok,
            "error": self.error,
            "checks": {k: {"offered": v[0], "evidence": v[1]} for k, v in self.checks.items()},
        }


def _queryables(operation: Any) -> set[str]:
    names: set[str] = set()
    for constraint in operation.constraints or []:
        if "Queryables" in constraint.name:
            names.update(constraint.values)
    return names


def check_csw(
    url: str, *, sort_property: str = "apiso:Identifier", modified_property: str = "apiso:Modified", timeout: int = 30
) -> CswCheck:
    """Read GetCapabilities, then ask for two records sorted by `sort_property` in the gmd schema."""
    import owslib
    from owslib.csw import CatalogueServiceWeb
    from owslib.fes import SortBy, SortProperty

    result = CswCheck(url=url, owslib=str(owslib.__version__))
    try:
        csw = CatalogueServiceWeb(url, version="2.0.2", timeout=timeout)
    except Exception as exc:  # any failure to read or parse the capabilities is the answer itself
        result.error = f"GetCapabilities failed: {type(exc).__name__}: {exc}"
        return result
    result.service = f"{csw.identification.title or ''} ({csw.identification.type} {csw.version})".strip()
    operations = {op.name: op for op in csw.operations}
    getrecords = operations.get("GetRecords")
    result.checks["GetRecords"] = (getrecords is not None, ", ".join(sorted(operations)) or "no operations listed")
    if getrecords is None:
        return result
    schemas = getrecords.parameters.get("outputSchema", {}).get("values", [])
    result.checks["outputSchema gmd"] = (GMD in schemas, ", ".join(schemas) or "no outputSchema listed")
    queryables = _queryables(getrecords)
    result.checks[f"queryable {modified_property} (incremental runs)"] = (
        modified_property in queryables,
        f"{len(queryables)} queryables listed",
    )
    try:
        csw.getrecords2(
            typenames="gmd:MD_Metadata",
            outputschema=GMD,
            esn="full",
            maxrecords=2,
            sortby=SortBy([SortProperty(sort_property, "ASC")]),
        )
        result.checks[f"sorted GetRecords by {sort_property}"] = (
            True,
            f"answered: {csw.results.get('returned')} of {csw.results.get('matches')} records",
        )
    except Exception as exc:  # the service refusing the sorted request is the answer
        result.checks[f"sorted GetRecords by {sort_property}"] = (False, f"{type(exc).__name__}: {exc}"[:300])
    return result
