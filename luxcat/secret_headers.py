"""HTTP headers from a source file that may hold secrets: only as ${ENV_VAR} references, expanded at run time.

A source file is data kept in git: a literal `Authorization: Bearer abc` or `X-Api-Key: abc` in it is
a leaked secret, so it is a configuration error. A header naming a credential (or a value that
looks like one: `Bearer ...`, `Basic ...`) must be built from `${ENV_VAR}` references, optionally
after an auth scheme word (`Bearer ${SDMX_TOKEN}`). References are expanded from the environment
when the request is prepared (never sent literally); an unset variable is a ConfigError naming it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from luxcat.errors import ConfigError
from luxcat.http import CREDENTIAL_HEADER

REFERENCE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")
SCHEME_ONLY = re.compile(r"^\s*((Bearer|Basic|Token|ApiKey|Digest)\s*)?$", re.IGNORECASE)
LOOKS_SECRET = re.compile(r"^\s*(Bearer|Basic|Token|Digest)\s+\S", re.IGNORECASE)


def header_problems(headers: Mapping[str, str]) -> list[str]:
    """One message per header that holds a literal secret (empty when every secret is a reference)."""
    problems = []
    for name, value in headers.items():
        secret = CREDENTIAL_HEADER.search(name) is not None or LOOKS_SECRET.match(value) is not None
        if secret and (not REFERENCE.search(value) or not SCHEME_ONLY.match(REFERENCE.sub("", value))):
            problems.append(
                f"headers.{name}: secrets must be ${{ENV_VAR}} references (e.g. \"Bearer ${{SDMX_TOKEN}}\"), "
                "not values"
            )
    return problems


def expand_headers(headers: Mapping[str, str], *, what: str) -> dict[str, str]:
    """Headers with every ${ENV_VAR} replaced by its value; an unset variable is a ConfigError."""

    def value_of(match: re.Match[str]) -> str:
        resolved = os.environ.get(match.group(1))
        if not resolved:
            raise ConfigError(f"{what}: environment variable {match.group(1)} is not set")
        return resolved

    return {name: REFERENCE.sub(value_of, value) for name, value in headers.items()}
