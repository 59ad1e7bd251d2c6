"""Atom/RSS harvester package (INSPIRE ATOM download services included)."""

from harvesters.atom.harvester import AtomHarvester, AtomOptions

__all__ = ["AtomHarvester", "AtomOptions"]
