"""The files HACS and Home Assistant read: manifest, hacs.json, quality_scale.yaml."""

import json
from pathlib import Path

import yaml

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "yeastar"
MANIFEST = json.loads((INTEGRATION / "manifest.json").read_text())

# Every rule of the Integration Quality Scale (Bronze, Silver, Gold, Platinum).
QUALITY_RULES = {
    "action-setup", "appropriate-polling", "brands", "common-modules",
    "config-flow-test-coverage", "config-flow", "dependency-transparency", "docs-actions",
    "docs-high-level-description", "docs-installation-instructions",
    "docs-removal-instructions", "entity-event-setup", "entity-unique-id",
    "has-entity-name", "runtime-data", "test-before-configure", "test-before-setup",
    "unique-config-entry", "docs-triggers", "docs-conditions",
    "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
    "docs-installation-parameters", "entity-unavailable", "integration-owner",
    "log-when-unavailable", "parallel-updates", "reauthentication-flow", "test-coverage",
    "devices", "diagnostics", "discovery", "discovery-update-info", "docs-data-update",
    "docs-examples", "docs-known-limitations", "docs-supported-devices",
    "docs-supported-functions", "docs-troubleshooting", "docs-use-cases",
    "dynamic-devices", "entity-category", "entity-device-class",
    "entity-disabled-by-default", "entity-translations", "exception-translations",
    "icon-translations", "reconfiguration-flow", "repair-issues", "stale-devices",
    "async-dependency", "inject-websession", "strict-typing",
}  # fmt: skip


def test_manifest_as_hassfest_and_hacs_want_it() -> None:
    """Required keys present, domain = folder, keys sorted: domain, name, then A-Z."""
    assert MANIFEST["domain"] == INTEGRATION.name
    for key in ("name", "codeowners", "documentation", "issue_tracker", "version"):
        assert MANIFEST[key]
    assert MANIFEST["iot_class"] == "local_push"
    assert MANIFEST["integration_type"] == "hub"
    assert MANIFEST["dependencies"] == ["webhook"]
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_hacs_json() -> None:
    """HACS gets the name and the oldest Home Assistant the code supports."""
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert hacs == {"name": MANIFEST["name"], "homeassistant": "2025.4.0"}


def test_quality_scale_names_every_rule_honestly_formed() -> None:
    """Every rule is done, todo, or exempt with the reason written down."""
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    assert set(rules) == QUALITY_RULES
    for rule, value in rules.items():
        status = value if isinstance(value, str) else value["status"]
        assert status in {"done", "todo", "exempt"}, rule
        if status == "exempt":
            assert value["comment"], rule
