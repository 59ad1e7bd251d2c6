"""Configuration of the StatDCAT-AP mapper for SDMX dataflows (publisher, themes, HVD list, URLs)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from mappers.base import MapperOptions

STATEC_NAME = {
    "fr": "Institut national de la statistique et des études économiques du Grand-Duché de Luxembourg (STATEC)",
    "de": "Nationales Institut für Statistik und Wirtschaftsstudien des Großherzogtums Luxemburg (STATEC)",
    "en": "National Institute of Statistics and Economic Studies of the Grand Duchy of Luxembourg (STATEC)",
}

# SDMX CL_FREQ codes -> EU frequency authority table codes. H is left out on purpose: it means
# "hourly" in SDMX's CL_FREQ but "half-yearly" in ECB's.
DEFAULT_FREQUENCIES = {
    "A": "ANNUAL",
    "S": "ANNUAL_2",
    "Q": "QUARTERLY",
    "M": "MONTHLY",
    "W": "WEEKLY",
    "D": "DAILY",
    "B": "DAILY",
    "I": "IRREG",
}


class PublisherOption(BaseModel):
    """An agency as a foaf:Agent."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    uri: str
    """the agency's IRI (dct:publisher)"""
    name: dict[str, str] = Field(description="name by language")


class DistributionOption(BaseModel):
    """One download of a dataflow's data: URL template over {url} {agency} {id} {version}."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    key: str = Field(description="stable suffix of the distribution URI, e.g. sdmx-csv")
    url: str
    """URL template over {url} {agency} {id} {version}"""
    title: dict[str, str]
    """title by language"""
    format: str = Field(description="EU file-type code (CSV, SDMX, XML, JSON) or URI")
    media_type: str | None = Field(default=None, description="IANA media type, e.g. text/csv")


DEFAULT_DISTRIBUTIONS = [
    DistributionOption(
        key="sdmx-csv",
        url="{url}/data/{agency},{id},{version}/all?format=csvfilewithlabels",
        title={"en": "Data (SDMX-CSV)", "fr": "Données (SDMX-CSV)", "de": "Daten (SDMX-CSV)"},
        format="CSV",
        media_type="text/csv",
    ),
    DistributionOption(
        key="sdmx-ml",
        url="{url}/data/{agency},{id},{version}/all",
        title={"en": "Data (SDMX-ML 2.1)", "fr": "Données (SDMX-ML 2.1)", "de": "Daten (SDMX-ML 2.1)"},
        format="SDMX",
        media_type="application/xml",
    ),
]


class SdmxMapperOptions(MapperOptions):
    """How dataflows become StatDCAT-AP datasets for one source."""

    service_url: str | None = Field(
        default=None, description="REST base URL; required for `luxcat map` on files, else taken from the record"
    )
    publishers: dict[str, PublisherOption] = Field(
        default_factory=lambda: {"LU1": PublisherOption(uri="https://statistiques.public.lu/", name=STATEC_NAME)},
        description="agency id -> publisher; unknown agencies fall back to the source's publisher",
    )
    licence: str | None = Field(default=None, description="licence URI; default: the source's licence")
    themes: dict[str, list[str]] = Field(
        default_factory=dict,
        description="category id path (dotted, glob; also matches its children) -> EU data theme codes",
    )
    default_themes: list[str] = Field(default_factory=list, description="themes of every dataflow")
    hvd_dataflows: list[str] = Field(default_factory=list, description="dataflow ids (globs) in the HVD list")
    hvd_category: str = "http://data.europa.eu/bna/c_e1da4e07"
    """HVD category of the HVD dataflows (default: statistics)"""
    applicable_legislation: str = "http://data.europa.eu/eli/reg_impl/2023/138/oj"
    """dcatap:applicableLegislation of HVD datasets (the HVD implementing regulation)"""
    distributions: list[DistributionOption] = Field(default_factory=lambda: list(DEFAULT_DISTRIBUTIONS))
    """the downloads every dataflow gets"""
    landing_page: str | None = Field(
        default=None,
        description="Data Explorer URL template, e.g. https://lustat.statec.lu/vis?df[ds]=release&df[ag]={agency}"
        "&df[id]={id}&df[vs]={version}",
    )
    service_title: dict[str, str] = Field(
        default_factory=lambda: {
            "en": "SDMX 2.1 REST web service",
            "fr": "Service web REST SDMX 2.1",
            "de": "SDMX 2.1 REST-Webdienst",
        }
    )
    """title by language of the SDMX API (dcat:DataService)"""
    sdmx_standard: str = Field(
        default="https://sdmx.org/?page_id=5008", description="dct:conformsTo of the API and SDMX-ML files"
    )
    frequency_component: str = "FREQ"
    """component whose code gives dct:accrualPeriodicity"""
    unit_components: list[str] = Field(default_factory=lambda: ["UNIT_MEASURE", "UNIT"])
    """components whose codes describe the unit of measure"""
    frequencies: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_FREQUENCIES))
    """SDMX frequency code -> EU frequency code"""
    coverage_annotations: tuple[str, str] = Field(
        default=("OBS_PERIOD_OVERALL_OLDEST", "OBS_PERIOD_OVERALL_LATEST"),
        description="annotation types giving first/last period when no actual constraint does (Eurostat)",
    )
    modified_annotations: list[str] = Field(default_factory=lambda: ["UPDATE_DATA", "LAST_UPDATE"])
    """annotation types holding the last-update date (dct:modified), first found wins"""
