"""Validators: SHACL profiles, the open data strategy's policy checks and an MQA-style score."""

from validators.combined import get_validator, validate_graph
from validators.report_html import render_html

__all__ = ["get_validator", "render_html", "validate_graph"]
