"""Harvesters: fetch raw records from one kind of source (CSW, SDMX, DCAT, ...)."""
