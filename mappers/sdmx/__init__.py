"""StatDCAT-AP mapper for SDMX dataflows."""

from mappers.sdmx.mapper import SdmxMapper
from mappers.sdmx.options import SdmxMapperOptions

__all__ = ["SdmxMapper", "SdmxMapperOptions"]
