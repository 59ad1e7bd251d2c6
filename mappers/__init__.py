"""Mappers: turn raw records of one format into DCAT-AP 3 graphs."""
