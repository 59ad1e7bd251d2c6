"""Plain pySHACL on the same data, shapes and vocabularies: the reference luxcat's engine must equal.

Used by the cross-check test and the benchmark only; pySHACL is imported lazily (it is slow to
import and not needed for validating).
"""

from __future__ import annotations

from rdflib import RDF, Graph, Namespace
from rdflib.term import BNode, Node

from luxcat.records import ValidationIssue
from validators.shacl import Profile, get_profile, node_id
from validators.vocabularies import vocabulary_graph

SH = Namespace("http://www.w3.org/ns/shacl#")
SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


def _path_text(report: Graph, path: Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, BNode):
        inverse = report.value(path, SH.inversePath)
        if inverse is not None:
            return f"^{inverse}"
        if (path, RDF.first, None) in report:
            return "/".join(str(p) for p in report.items(path))
    return str(path)


def union_graph(graph: Graph, profile: str | Profile = "dcat-ap-3.0.0") -> Graph:
    """A copy of `graph` with the profile's vocabularies added, as pySHACL needs them in the data."""
    data = Graph()
    data += graph
    if get_profile(profile).vocabularies:
        data += vocabulary_graph()
    return data


def run_pyshacl(data: Graph, profile: str | Profile = "dcat-ap-3.0.0") -> Graph:
    """pySHACL's report graph for an already prepared data graph (see `union_graph`)."""
    import pyshacl

    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=get_profile(profile).shapes_graph(), inference="none", advanced=False, meta_shacl=False
    )
    return report


def issues_from_report(report: Graph) -> list[ValidationIssue]:
    """The top-level results of a SHACL report graph as issues (nested sh:detail results dropped)."""
    found: list[ValidationIssue] = []
    for top in report.subjects(RDF.type, SH.ValidationReport):
        for res in report.objects(top, SH.result):
            value = report.value(res, SH.value)
            message = report.value(res, SH.resultMessage)
            found.append(
                ValidationIssue(
                    severity=SEVERITY.get(report.value(res, SH.resultSeverity), "Violation"),
                    focus=node_id(report.value(res, SH.focusNode)),
                    path=_path_text(report, report.value(res, SH.resultPath)),
                    value=node_id(value) if value is not None else None,
                    message=str(message) if message is not None else "",
                    shape=node_id(report.value(res, SH.sourceShape)),
                )
            )
    return found


def pyshacl_issues(graph: Graph, profile: str | Profile = "dcat-ap-3.0.0") -> list[ValidationIssue]:
    """pySHACL's results on `graph` + the profile's vocabularies, as issues (top-level results only)."""
    return issues_from_report(run_pyshacl(union_graph(graph, profile), profile))
