"""Spreadsheet inventory harvester package (CSV/XLSX, local, HTTP or S3, YAML column mapping)."""

from harvesters.inventory.harvester import InventoryHarvester, InventoryOptions

__all__ = ["InventoryHarvester", "InventoryOptions"]
