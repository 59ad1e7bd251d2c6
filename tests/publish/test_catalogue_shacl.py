"""What the catalogue adds (dcat:Catalog, its publisher, the CatalogRecords) passes the DCAT-AP 3.0.0 SHACL shapes."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF

from tests.publish.corpus import DCAT
from tests.publish.helpers import folder_reader, parse, run


def test_catalogue_level_nodes_conform(loaded, publish_config) -> None:  # type: ignore[no-untyped-def]
    from validators import get_validator

    cfg = publish_config()
    run(loaded, cfg)
    graph = parse(folder_reader(Path(cfg.targets.catalogue.export))("catalogue.nt"), "nt")
    ours = {cfg.catalogue.uri, cfg.catalogue.publisher.uri} | {
        str(r) for r in graph.subjects(RDF.type, DCAT.CatalogRecord)
    }
    assert len(ours) > 20
    outcome = get_validator("dcat-ap-3.0.0").validate_detailed(graph)
    results = list(outcome.unassigned) + [r for report in outcome.reports for r in report.results]
    violations = [f"{r.focus} {r.path}: {r.message}" for r in results if r.severity == "Violation" and r.focus in ours]
    assert violations == []
    # and the check can fail: the same graph without the catalogue's title is caught
    graph.remove((None, RDF.type, DCAT.Catalog))
    graph.add((DCAT.nothing, RDF.type, DCAT.Catalog))
    broken = get_validator("dcat-ap-3.0.0").validate_detailed(graph)
    assert any(r.severity == "Violation" and r.focus == str(DCAT.nothing) for r in broken.unassigned)
