"""ISO 19139 / INSPIRE -> DCAT-AP 3 (with GeoDCAT-AP) mapper; see mappers.iso19139.mapper."""

from mappers.iso19139.mapper import Iso19139Mapper

__all__ = ["Iso19139Mapper"]
