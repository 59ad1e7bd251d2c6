"""The published time series: `indicators.csv` (long format) and its W3C CSVW metadata `csv-metadata.json`.

One row per (date, scope, scope id, indicator) with the value and its unit; the metadata describes
every column with a datatype a CSVW processor checks, and carries each indicator's definition and
each unit's meaning (fr/en) as notes, so the file can be read without luxcat.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from publishers.indicators.definitions import INDICATORS, SCOPES, UNITS
from publishers.indicators.history import Row

CSV_NAME = "indicators.csv"
METADATA_NAME = "csv-metadata.json"
COLUMNS = ("date", "scope", "scope_id", "scope_label", "indicator", "value", "unit")
CC0 = "http://publications.europa.eu/resource/authority/licence/CC0"


def number(value: float) -> str:
    """A value as the CSV writes it: integers without a decimal point, others with at most two decimals."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def write_csv(rows: Iterable[Row]) -> bytes:
    """The whole series as UTF-8 CSV (RFC 4180, header row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r.date.isoformat(), r.scope, r.scope_id, r.scope_label, r.indicator, number(r.value), r.unit])
    return out.getvalue().encode("utf-8")


def _alternatives(values: Iterable[str]) -> str:
    return "^(" + "|".join(v.replace(".", "\\.") for v in values) + ")$"


def metadata(base_url: str, publisher: dict[str, Any]) -> dict[str, Any]:
    """The CSVW table description of indicators.csv."""
    column_text = {
        "date": ("Date of the computation (UTC)", "Date du calcul (UTC)", {"base": "date", "format": "yyyy-MM-dd"}),
        "scope": ("Scope kind", "Type de périmètre", {"base": "string", "format": _alternatives(SCOPES)}),
        "scope_id": (
            "Scope identifier: LU, a publisher IRI (or name: and its name), a source id, a priority theme id, "
            "an HVD category IRI",
            "Identifiant du périmètre",
            {"base": "string", "minLength": 1},
        ),
        "scope_label": ("Scope name", "Nom du périmètre", {"base": "string"}),
        "indicator": ("Indicator id (see notes)", "Identifiant de l'indicateur",
                      {"base": "string", "format": _alternatives(INDICATORS)}),
        "value": ("Value, in the row's unit", "Valeur, dans l'unité de la ligne", {"base": "decimal"}),
        "unit": ("Unit (see notes)", "Unité", {"base": "string", "format": _alternatives(UNITS)}),
    }  # fmt: skip
    columns = [
        {
            "name": name,
            "titles": name,
            "dc:description": [{"@value": en, "@language": "en"}, {"@value": fr, "@language": "fr"}],
            "datatype": datatype,
            "required": name != "scope_label",
        }
        for name, (en, fr, datatype) in column_text.items()
    ]
    notes: list[dict[str, Any]] = [
        {
            "@id": f"{base_url}indicators/{CSV_NAME}#{ind.id}",
            "@type": "dqv:Metric",
            "dc:identifier": ind.id,
            "dc:subject": ind.family,
            "skos:prefLabel": [
                {"@value": ind.label_en, "@language": "en"},
                {"@value": ind.label_fr, "@language": "fr"},
            ],
            "skos:definition": [
                {"@value": ind.definition_en, "@language": "en"},
                {"@value": ind.definition_fr, "@language": "fr"},
            ],
            "dqv:expectedDataType": ind.unit,
        }
        for ind in INDICATORS.values()
    ]
    notes += [
        {
            "@id": f"{base_url}indicators/{CSV_NAME}#unit-{unit}",
            "dc:identifier": unit,
            "skos:definition": [{"@value": text["en"], "@language": "en"}, {"@value": text["fr"], "@language": "fr"}],
        }
        for unit, text in UNITS.items()
    ]
    return {
        "@context": "http://www.w3.org/ns/csvw",
        "url": CSV_NAME,
        "dc:title": [
            {"@value": "Luxembourg open data indicators", "@language": "en"},
            {"@value": "Indicateurs des données ouvertes du Luxembourg", "@language": "fr"},
        ],
        "dc:description": [
            {
                "@value": "Progress indicators of Luxembourg's open data strategy over the national catalogue, "
                "one row per date, scope, scope id and indicator.",
                "@language": "en",
            },
            {
                "@value": "Indicateurs de suivi de la stratégie luxembourgeoise des données ouvertes sur le "
                "catalogue national, une ligne par date, périmètre, identifiant de périmètre et indicateur.",
                "@language": "fr",
            },
        ],
        "dc:license": {"@id": CC0},
        "dc:publisher": publisher,
        "dialect": {"header": True, "encoding": "utf-8", "lineTerminators": ["\r\n", "\n"]},
        "tableSchema": {"columns": columns, "primaryKey": ["date", "scope", "scope_id", "indicator"]},
        "notes": notes,
    }


def write_metadata(base_url: str, publisher: dict[str, Any]) -> bytes:
    """csv-metadata.json as UTF-8 bytes."""
    return json.dumps(metadata(base_url, publisher), indent=1, ensure_ascii=False).encode("utf-8")
