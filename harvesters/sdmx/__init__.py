"""SDMX 2.1 REST harvester (sdmx1): one record per dataflow, structures fetched in bulk."""

from harvesters.sdmx.harvester import SdmxHarvester
from harvesters.sdmx.options import SdmxHarvesterOptions

__all__ = ["SdmxHarvester", "SdmxHarvesterOptions"]
