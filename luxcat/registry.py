"""Plugin registries: a kind name in YAML -> "module:Class", imported only when used."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Final

from luxcat.errors import ConfigError

HARVESTERS: Final[Mapping[str, str]] = {
    "csw": "harvesters.csw:CswHarvester",
    "sdmx": "harvesters.sdmx:SdmxHarvester",
    "dcat": "harvesters.dcat:DcatHarvester",
    "ckan": "harvesters.ckan:CkanHarvester",
    "udata": "harvesters.udata:UdataHarvester",
    "atom": "harvesters.atom:AtomHarvester",
    "inventory": "harvesters.inventory:InventoryHarvester",
}

MAPPERS: Final[Mapping[str, str]] = {
    "iso19139": "mappers.iso19139:Iso19139Mapper",
    "sdmx": "mappers.sdmx:SdmxMapper",
    "dcat": "mappers.dcat:DcatMapper",
    "ckan": "mappers.ckan:CkanMapper",
    "udata": "mappers.udata:UdataMapper",
    "atom": "mappers.atom:AtomMapper",
    "inventory": "mappers.inventory:InventoryMapper",
}

PUBLISHERS: Final[Mapping[str, str]] = {
    "catalogue": "publishers.catalogue:CataloguePublisher",
    "data.europa.eu": "publishers.edp:EdpPublisher",
    "data.public.lu": "publishers.udata:UdataPublisher",
}


def is_known(table: Mapping[str, str], name: str) -> bool:
    """True when `name` is a registry key or an explicit "module:Class" path."""
    return name in table or ":" in name


def load(table: Mapping[str, str], name: str, *, what: str) -> type:
    """Import the class registered under `name` (or given as "module:Class")."""
    target = table.get(name, name)
    if ":" not in target:
        raise ConfigError(f"unknown {what} {name!r}; known: {', '.join(sorted(table)) or 'none'}")
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"{what} {name!r}: cannot import {module_name}: {exc}") from exc
    try:
        return getattr(module, attr)  # type: ignore[no-any-return]
    except AttributeError as exc:
        raise ConfigError(f"{what} {name!r}: {module_name} has no {attr}") from exc
