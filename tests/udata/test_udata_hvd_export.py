"""HVD datasets on the real udata: the tags udata reads, its HVD badge, and its own DCAT export.

data.public.lu flags HVD datasets with the tag `hvd` plus a category tag; udata 17's periodic badge job
(`update_dataset_hvd_badge`) gives the HVD badge to `hvd`-tagged datasets of certified public-service
organisations, and its DCAT export (what data.europa.eu harvests from data.public.lu) then states
dcatap:applicableLegislation and dcatap:hvdCategory, the category read back from the category tag
(udata.rdf.TAG_TO_EU_HVD_CATEGORIES). The records are real HVD records: Rostock's (statistics, CC0,
dcat-ap.de) and the Danish INSPIRE addresses (geospatial, CC BY 4.0).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from luxcat.artifacts import LocalArtifactStore
from luxcat.store import StateStore
from publishers.base import publish_items
from publishers.udata import UdataPublisher
from publishers.udata.mapping import EXTRA_URI
from tests.udata.real_udata import RealUdata
from tests.udata.records import Example, harvest_and_map, source_config

DCATAP = Namespace("http://data.europa.eu/r5r/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # open namespaces: pytest's collection probes closed ones
DCTERMS = Namespace("http://purl.org/dc/terms/")
HVD = URIRef("http://data.europa.eu/eli/reg_impl/2023/138/oj")
ROSTOCK = Example(
    "rostock", "ckanext-dcat-examples/dataset_gov_de.rdf",
    "https://www.opendata-hro.de/dataset/c1be4007-d811-48fb-8818-2cb358b06a63",
)  # fmt: skip
ADDRESSES = Example(
    "dk-addresses", "geodcat-ap-pilot/ISO19139_dcat-ap.rdf",
    "https://geo.data.gov.dk/dataset/50b921ea-935e-d605-2287-4ee364046795",
)  # fmt: skip


def test_hvd_tags_badge_and_udata_dcat_export_state_licence_category_and_legislation(
    udata: RealUdata, store: StateStore, artifacts: LocalArtifactStore, make_publisher: Callable[..., UdataPublisher]
) -> None:
    cfg = source_config(languages=["de", "en"])
    harvest_and_map(cfg, store, artifacts, [ROSTOCK, ADDRESSES])
    publisher = make_publisher()
    plan = publisher.apply(publisher.plan(publish_items(store, artifacts, [cfg])))
    assert plan.totals() == {"create": 4}, plan.render()  # 2 datasets, 2 dataservices (Danish WMS, OGC API)
    datasets: dict[str, dict[str, Any]] = {d["extras"][EXTRA_URI]: d for d in udata.live_datasets()}
    rostock, addresses = datasets[ROSTOCK.dataset], datasets[ADDRESSES.dataset]
    assert {"hvd", "statistiques"} <= set(rostock["tags"]) and rostock["license"] == "cc-zero"
    assert {"hvd", "geospatiales"} <= set(addresses["tags"]) and addresses["license"] == "cc-by"

    # udata's own badge job (periodic on the portal) badges both: STATEC is certified and a public service
    assert sorted(udata.hvd_badges()) == sorted([rostock["id"], addresses["id"]])

    expected = {
        rostock["id"]: ("http://data.europa.eu/bna/c_e1da4e07", "http://creativecommons.org/publicdomain/zero/1.0/"),
        addresses["id"]: ("http://data.europa.eu/bna/c_ac64a52d", "http://creativecommons.org/licenses/by/4.0/"),
    }
    catalog = Graph().parse(data=udata.get("/site/catalog.ttl").text, format="turtle")
    for dataset_id, (category, licence) in expected.items():
        own = Graph().parse(data=udata.get(f"/datasets/{dataset_id}/rdf.ttl").text, format="turtle")
        for graph in (own, catalog):
            (node,) = [
                s for s in graph.subjects(RDF.type, DCAT.Dataset)
                if dataset_id in str(s) or (s, DCTERMS.identifier, None) in graph
                and any(dataset_id in str(i) for i in graph.objects(s, DCTERMS.identifier))
            ]  # fmt: skip
            assert (node, DCATAP.applicableLegislation, HVD) in graph
            assert (node, DCATAP.hvdCategory, URIRef(category)) in graph
            licences = {graph.value(d, DCTERMS.license) for d in graph.objects(node, DCAT.distribution)}
            assert licences == {URIRef(licence)}
