"""One call for the pipeline and the CLI: SHACL per dataset, then the strategy's policy rules and the MQA score."""

from __future__ import annotations

from functools import cache

from rdflib import Graph

from luxcat.records import ValidationReport
from mappers.licensing import licence_origin
from validators.policy import is_dataset, policy_issues, udata_licence_issues
from validators.quality import dataset_urls, score_dataset
from validators.shacl import DEFAULT_PROFILE, Profile, Validator, get_profile, parse_id
from validators.urlcheck import UrlChecker

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
    return outcome.reports
