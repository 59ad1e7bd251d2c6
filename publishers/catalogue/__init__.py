"""The merged national catalogue: merge every source's records, export them whole and paged, atomically."""

from publishers.catalogue.publisher import CatalogueOptions, CataloguePublisher

__all__ = ["CatalogueOptions", "CataloguePublisher"]
