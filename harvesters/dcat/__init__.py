"""DCAT harvester package: RDF syntaxes, Hydra paging, record splitting (see harvester.py)."""

from harvesters.dcat.harvester import DcatHarvester, DcatOptions

__all__ = ["DcatHarvester", "DcatOptions"]
