"""config/publish.yaml: the shipped file validates, every error is reported with its YAML path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from luxcat import registry
from luxcat.errors import ConfigError
from publishers.targets import load_publish_config, target_options
from tests.publish.corpus import REPO
from tests.publish.helpers import config_problems

SHIPPED = REPO / "config" / "publish.yaml"


@pytest.mark.parametrize("target", sorted(registry.PUBLISHERS))
def test_shipped_config_gives_every_target_its_options(target: str) -> None:
    cfg = load_publish_config(SHIPPED)
    cls = registry.load(registry.PUBLISHERS, target, what="publish target")
    options = target_options(cfg, target, cls.Options)
    assert isinstance(options, cls.Options)


def test_udata_section_is_passed_through_untouched(tmp_path: Path) -> None:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    data["targets"]["data.public.lu"]["throttle"] = 0.25
    path = tmp_path / "publish.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    cls = registry.load(registry.PUBLISHERS, "data.public.lu", what="publish target")
    assert target_options(load_publish_config(path), "data.public.lu", cls.Options).throttle == 0.25


def test_every_error_is_reported_with_its_path(tmp_path: Path) -> None:
    problems = config_problems(
        tmp_path,
        {
            "catalogue/title": {"xx": "Titre"},
            "targets/catalogue/page_size": 0,
            "targets/catalogue/colour": "blue",
            "targets/data.europa.eu/api_key": "plain-text-key",
            "merge/match_on": ["title"],
        },
    )
    text = "\n".join(problems)
    assert "catalogue.title" in text and "unknown language" in text
    assert "targets.catalogue.page_size" in text
    assert "targets.catalogue.colour: Extra inputs are not permitted" in text
    assert "targets.data.europa.eu.api_key: secrets must be an ${ENV_VAR} reference" in text
    assert "merge.match_on.0" in text


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="publish configuration not found"):
        load_publish_config(tmp_path / "nope.yaml")
