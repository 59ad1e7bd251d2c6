"""DCAT mapper package: DCAT/DCAT-AP 1.x-3 -> DCAT-AP 3, and the normaliser the other feed mappers share."""

from mappers.dcat.mapper import DcatMapper

__all__ = ["DcatMapper"]
