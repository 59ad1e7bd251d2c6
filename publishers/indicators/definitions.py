"""Every indicator luxcat publishes: id, family, unit, and its label and definition in English and French.

The CSVW metadata, the dashboard and `luxcat indicators` all read this one table, so a published
figure always travels with the words that define it.
"""

from __future__ import annotations

from typing import NamedTuple


class Indicator(NamedTuple):
    """One indicator's identity and meaning."""

    id: str
    family: str
    unit: str  # count | percent | points
    label_en: str
    label_fr: str
    definition_en: str
    definition_fr: str


UNITS: dict[str, dict[str, str]] = {
    "count": {"en": "number of datasets (or rows, distributions: see the indicator)", "fr": "nombre"},
    "percent": {"en": "percentage (0-100) of the stated denominator",
                "fr": "pourcentage (0-100) du dénominateur indiqué"},
    "points": {"en": "MQA points (0-405, data.europa.eu methodology)",
               "fr": "points MQA (0-405, méthode de data.europa.eu)"},
}  # fmt: skip

_ROWS = [
    ("datasets.total", "datasets", "count", "Datasets", "Jeux de données",
     "Datasets in the served national catalogue (data services excluded).",
     "Jeux de données du catalogue national publié (services de données exclus)."),
    ("datasets.new", "datasets", "count", "New datasets", "Nouveaux jeux de données",
     "Datasets present now and absent from the previous computation.",
     "Jeux de données présents maintenant et absents du calcul précédent."),
    ("datasets.withdrawn", "datasets", "count", "Withdrawn datasets", "Jeux de données retirés",
     "Datasets present in the previous computation and absent now.",
     "Jeux de données présents au calcul précédent et absents maintenant."),
    ("licence.open_share", "licences", "percent", "Open licence", "Licence ouverte",
     "Share of datasets whose every stated licence (dataset and distributions) is an EU-vocabulary licence "
     "without non-commercial or no-derivatives clause.",
     "Part des jeux dont chaque licence indiquée (jeu et distributions) est une licence du vocabulaire de l'UE "
     "sans clause non commerciale ni d'interdiction de modification."),
    ("licence.cc0_share", "licences", "percent", "CC0", "CC0",
     "Share of datasets whose every stated licence is CC0.", "Part des jeux dont chaque licence indiquée est CC0."),
    ("licence.cc_share", "licences", "percent", "Creative Commons", "Creative Commons",
     "Share of datasets stating at least one Creative Commons licence (CC0 included).",
     "Part des jeux indiquant au moins une licence Creative Commons (CC0 compris)."),
    ("licence.non_commercial", "licences", "count", "Non-commercial licence", "Licence non commerciale",
     "Datasets stating a non-commercial licence (barred by the strategy).",
     "Jeux indiquant une licence non commerciale (exclue par la stratégie)."),
    ("licence.none", "licences", "count", "No licence", "Sans licence",
     "Datasets stating no licence at all.", "Jeux n'indiquant aucune licence."),
    ("licence.origin_stated", "licences", "count", "Licence stated by the record", "Licence indiquée par la fiche",
     "Datasets whose licence (dataset or distribution) is stated by the source record itself.",
     "Jeux dont la licence (jeu ou distribution) est indiquée par la fiche source elle-même."),
    ("licence.origin_stated_share", "licences", "percent", "Licence stated by the record (share)",
     "Licence indiquée par la fiche (part)",
     "Share of datasets whose licence is stated by the source record itself.",
     "Part des jeux dont la licence est indiquée par la fiche source elle-même."),
    ("licence.origin_source_default", "licences", "count", "Licence from the source default",
     "Licence par défaut de la source",
     "Datasets whose record says nothing about use and whose licence is the default licence its source "
     "declares (marked dct:provenance licence-origin/source-default).",
     "Jeux dont la fiche ne dit rien des conditions d'utilisation et dont la licence est la licence par "
     "défaut déclarée par la source (marquée dct:provenance licence-origin/source-default)."),
    ("licence.origin_source_default_share", "licences", "percent", "Licence from the source default (share)",
     "Licence par défaut de la source (part)",
     "Share of datasets whose licence is the default licence their source declares.",
     "Part des jeux dont la licence est la licence par défaut déclarée par leur source."),
    ("licence.origin_none_share", "licences", "percent", "No licence (share)", "Sans licence (part)",
     "Share of datasets with no licence, neither stated nor from a source default.",
     "Part des jeux sans licence, ni indiquée ni par défaut de la source."),
    ("quality.dcat_ap_share", "quality", "percent", "DCAT-AP conformant", "Conformes DCAT-AP",
     "Share of validated datasets without a SHACL Violation against DCAT-AP 3.0.0 (policy rules excluded).",
     "Part des jeux validés sans violation SHACL de DCAT-AP 3.0.0 (règles de la stratégie exclues)."),
    ("quality.mqa_mean", "quality", "points", "MQA score, mean", "Score MQA, moyenne",
     "Mean MQA score of the scored datasets.", "Score MQA moyen des jeux évalués."),
    ("quality.mqa_median", "quality", "points", "MQA score, median", "Score MQA, médiane",
     "Median MQA score of the scored datasets.", "Score MQA médian des jeux évalués."),
    ("quality.band_excellent_share", "quality", "percent", "Rated excellent", "Note excellente",
     "Share of scored datasets rated excellent (351-405 points).",
     "Part des jeux évalués notés excellents (351-405 points)."),
    ("quality.band_good_share", "quality", "percent", "Rated good", "Note bonne",
     "Share of scored datasets rated good (221-350 points).", "Part des jeux évalués notés bons (221-350 points)."),
    ("quality.band_sufficient_share", "quality", "percent", "Rated sufficient", "Note suffisante",
     "Share of scored datasets rated sufficient (121-220 points).",
     "Part des jeux évalués notés suffisants (121-220 points)."),
    ("quality.band_bad_share", "quality", "percent", "Rated bad", "Note insuffisante",
     "Share of scored datasets rated bad (0-120 points).", "Part des jeux évalués notés insuffisants (0-120 points)."),
    ("quality.recommended_share", "quality", "percent", "Recommended properties complete",
     "Propriétés recommandées complètes",
     "Share of datasets with every DCAT-AP 3.0.0 recommended property (contact point, distribution, keyword, "
     "publisher, spatial, temporal, theme).",
     "Part des jeux ayant toutes les propriétés recommandées de DCAT-AP 3.0.0 (point de contact, distribution, "
     "mot-clé, éditeur, couverture spatiale et temporelle, thème)."),
    ("hvd.datasets", "hvd", "count", "High-value datasets", "Données de forte valeur",
     "Datasets with an HVD category (dcatap:hvdCategory).", "Jeux ayant une catégorie HVD (dcatap:hvdCategory)."),
    ("hvd.legislation_share", "hvd", "percent", "HVD with applicable legislation", "HVD avec législation applicable",
     "Share of HVD datasets stating Regulation (EU) 2023/138 as applicable legislation.",
     "Part des jeux HVD indiquant le règlement (UE) 2023/138 comme législation applicable."),
    ("hvd.api_share", "hvd", "percent", "HVD with an API", "HVD avec API",
     "Share of HVD datasets reachable through a data service (dcat:accessService or dcat:servesDataset).",
     "Part des jeux HVD accessibles par un service de données (dcat:accessService ou dcat:servesDataset)."),
    ("hvd.bulk_download_share", "hvd", "percent", "HVD with bulk download", "HVD en téléchargement",
     "Share of HVD datasets with a distribution that has a dcat:downloadURL.",
     "Part des jeux HVD ayant une distribution avec dcat:downloadURL."),
    ("formats.distributions", "formats", "count", "Distributions", "Distributions",
     "Distributions of the datasets in scope.", "Distributions des jeux du périmètre."),
    ("formats.machine_readable_share", "formats", "percent", "Machine-readable distributions",
     "Distributions lisibles par machine",
     "Share of distributions whose format data.europa.eu flags machine-readable.",
     "Part des distributions dont le format est marqué lisible par machine par data.europa.eu."),
    ("formats.non_proprietary_share", "formats", "percent", "Non-proprietary distributions",
     "Distributions non propriétaires",
     "Share of distributions whose format data.europa.eu flags non-proprietary.",
     "Part des distributions dont le format est marqué non propriétaire par data.europa.eu."),
    ("freshness.fresh_share", "freshness", "percent", "Updated on time", "Mis à jour à temps",
     "Share of datasets with a periodic accrual periodicity whose dct:modified is within one period of the "
     "computation date.",
     "Part des jeux à périodicité déclarée dont dct:modified date de moins d'une période au jour du calcul."),
    ("freshness.stale", "freshness", "count", "Overdue updates", "Mises à jour en retard",
     "Datasets with a periodic accrual periodicity not updated within one period (or without dct:modified).",
     "Jeux à périodicité déclarée non mis à jour depuis plus d'une période (ou sans dct:modified)."),
    ("multilingual.two_languages_share", "multilingual", "percent", "Title and description in 2+ languages",
     "Titre et description en 2+ langues",
     "Share of datasets with title and description each in at least two of French, German, English.",
     "Part des jeux dont le titre et la description existent chacun dans au moins deux langues parmi "
     "français, allemand, anglais."),
    ("multilingual.lb_share", "multilingual", "percent", "Luxembourgish", "Luxembourgeois",
     "Share of datasets with a title or description in Luxembourgish.",
     "Part des jeux ayant un titre ou une description en luxembourgeois."),
    ("inventory.rows", "inventories", "count", "Inventory rows", "Lignes d'inventaire",
     "Rows of the inventory sources (last harvest: records seen plus rows rejected).",
     "Lignes des inventaires (dernière moisson : enregistrements vus et lignes rejetées)."),
    ("inventory.published", "inventories", "count", "Published from inventories", "Publiés depuis les inventaires",
     "Datasets of the catalogue that come from inventory sources.",
     "Jeux du catalogue issus des inventaires."),
    ("inventory.published_share", "inventories", "percent", "Inventory rows published", "Lignes d'inventaire publiées",
     "Datasets published from inventories as a share of inventory rows.",
     "Jeux publiés depuis les inventaires en part des lignes d'inventaire."),
]  # fmt: skip

INDICATORS: dict[str, Indicator] = {row[0]: Indicator(*row) for row in _ROWS}
SCOPES: dict[str, dict[str, str]] = {
    "nation": {"en": "Luxembourg", "fr": "Luxembourg"},
    "publisher": {"en": "Publisher", "fr": "Éditeur"},
    "source": {"en": "Source", "fr": "Source"},
    "theme": {"en": "Priority theme", "fr": "Thème prioritaire"},
    "hvd": {"en": "HVD category", "fr": "Catégorie HVD"},
}
