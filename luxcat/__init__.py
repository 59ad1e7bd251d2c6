"""luxcat: harvest public-sector metadata, map it to DCAT-AP 3, validate it and syndicate it."""

__version__ = "0.1.0"
