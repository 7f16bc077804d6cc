"""The test environment is the one a real Home Assistant install would have.

Home Assistant installs its dependencies under its own ``package_constraints.txt``; a
resolver left alone takes newer releases that Home Assistant never runs with (pycares 5
beside aiodns 3.2.0 broke every host name lookup that way). Both test stages install
under those constraints (scripts/setup, scripts/newest); this checks that they did.
"""

import importlib.metadata
from pathlib import Path

import homeassistant
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

CONSTRAINTS = Path(homeassistant.__file__).parent / "package_constraints.txt"


def constraints() -> list[Requirement]:
    """Return Home Assistant's package constraints that apply to this interpreter."""
    found = []
    for line in CONSTRAINTS.read_text().splitlines():
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue  # a pip option or a URL
        if requirement.marker is None or requirement.marker.evaluate():
            found.append(requirement)
    return found


def test_installed_packages_follow_home_assistants_constraints() -> None:
    """Every installed package that Home Assistant constrains is within its constraint."""
    installed = {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions()
    }
    rules = constraints()
    assert any(rule.name == "aiohttp" for rule in rules)
    broken = {
        rule.name: f"{installed[name]} installed, {rule.specifier} required"
        for rule in rules
        if (name := canonicalize_name(rule.name)) in installed
        and not rule.specifier.contains(installed[name], prereleases=True)
    }
    assert broken == {}
