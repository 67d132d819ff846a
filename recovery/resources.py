"""Files shipped inside the package: claim/web/report templates and the example config."""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def templates_dir() -> Path:
    return Path(str(importlib.resources.files("recovery._templates")))


def example_config() -> str:
    return (templates_dir() / "config.example.toml").read_text(encoding="utf-8")
