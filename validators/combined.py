"""One call for the pipeline and the CLI: SHACL per dataset, then the strategy's policy rules and the MQA score."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCAT
from rdflib.term import Node

from luxcat.records import ValidationIssue, ValidationReport
from mappers.licensing import licence_origin
from validators.policy import is_dataset, policy_issues, udata_licence_issues
from validators.quality import dataset_urls, score_dataset
from validators.shacl import DEFAULT_PROFILE, Profile, Validator, get_profile, node_id, parse_id
from validators.urlcheck import UrlChecker

DCAT_SERIES = URIRef("http://www.w3.org/ns/dcat#DatasetSeries")  # not in rdflib's closed DCAT namespace
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@cache
def get_validator(profile: str | Profile = DEFAULT_PROFILE) -> Validator:
    """One compiled validator per profile and process."""
    return Validator(get_profile(profile))


def validate_graph(
    graph: Graph,
    profile: str | Profile = DEFAULT_PROFILE,
    *,
    check_urls: bool = False,
    url_checker: UrlChecker | None = None,
    policy: bool = True,
    udata: bool = False,
) -> list[ValidationReport]:
    """A report per dataset/series/service: SHACL + policy results, conforms (no Violation) and MQA score.

    The MQA "DCAT-AP compliance" indicator uses the SHACL outcome alone; `conforms` also counts
    policy Violations (no licence, non-commercial licence), which block publishing. `udata`: the
    source publishes to data.public.lu, so a licence with no data.public.lu id is a Warning.
    """
    return validate_full(
        graph, profile, check_urls=check_urls, url_checker=url_checker, policy=policy, udata=udata
    ).reports


@dataclass(slots=True)
class FullReport:
    """Reports per dataset/series/service, per catalogue, and results on nodes that belong to none."""

    reports: list[ValidationReport]
    catalogues: list[ValidationReport] = field(default_factory=list)
    other: list[ValidationIssue] = field(default_factory=list)


def catalogue_reports(
    graph: Graph, unassigned: list[ValidationIssue]
) -> tuple[list[ValidationReport], list[ValidationIssue]]:
    """Give each dcat:Catalog the unassigned results on itself and on nodes only it reaches.

    A catalogue owns the nodes reached from it without passing through a dataset, series, service
    or another catalogue; its report conforms when none of those results is a Violation (a
    catalogue without dct:title or dct:publisher fails, as pySHACL says). The rest is returned.
    """
    catalogues = sorted(set(graph.subjects(RDF.type, DCAT.Catalog)), key=str)
    stops = set(catalogues)
    for cls in (DCAT.Dataset, DCAT_SERIES, DCAT.DataService):
        stops |= set(graph.subjects(RDF.type, cls))
    owner: dict[Node, Node | None] = {}
    for catalogue in catalogues:
        owner[catalogue] = catalogue
        seen, stack = {catalogue}, [catalogue]
        while stack:
            for obj in graph.objects(stack.pop(), None):
                if isinstance(obj, Literal) or obj in seen or obj in stops:
                    continue
                seen.add(obj)
                owner[obj] = catalogue if owner.get(obj, catalogue) == catalogue else None
                stack.append(obj)
    found: dict[Node, list[ValidationIssue]] = {c: [] for c in catalogues}
    other: list[ValidationIssue] = []
    for res in unassigned:
        who = owner.get(parse_id(res.focus))
        (found[who] if who is not None else other).append(res)
    reports = []
    for catalogue in catalogues:
        results = sorted(found[catalogue], key=lambda r: (SEVERITY_ORDER.get(r.severity, 3), r.focus, r.path or ""))
        conforms = not any(r.severity == "Violation" for r in results)
        reports.append(ValidationReport(node_id(catalogue), conforms, None, results))
    return reports, other


def validate_full(
    graph: Graph,
    profile: str | Profile = DEFAULT_PROFILE,
    *,
    check_urls: bool = False,
    url_checker: UrlChecker | None = None,
    policy: bool = True,
    udata: bool = False,
) -> FullReport:
    """validate_graph's reports, plus catalogue reports and the results that belong to no resource."""
    outcome = get_validator(profile).validate_detailed(graph)
    subjects = [parse_id(r.dataset) for r in outcome.reports]
    reachable = None
    if check_urls or url_checker is not None:
        checker = url_checker or UrlChecker()
        reachable = checker.check(url for node in subjects for url in dataset_urls(graph, node))
        checker.save()
    for report, node in zip(outcome.reports, subjects, strict=True):
        shacl_conforms = report.conforms
        if is_dataset(graph, node):
            report.licence_origin = licence_origin(graph, node)
        if policy and is_dataset(graph, node):
            report.results.extend(policy_issues(graph, node))
        if udata:  # every dataset, series and service is a udata dataset (publishers.udata.mapping.map_dataset)
            report.results.extend(udata_licence_issues(graph, node))
        report.results.sort(key=lambda r: (SEVERITY_ORDER.get(r.severity, 3), r.focus, r.path or "", r.shape or ""))
        report.conforms = not any(r.severity == "Violation" for r in report.results)
        report.score = score_dataset(graph, node, conforms=shacl_conforms, reachable=reachable).total
    catalogues, other = catalogue_reports(graph, outcome.unassigned)
    return FullReport(outcome.reports, catalogues, other)
