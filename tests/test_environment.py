"""The test environment is the one a real Home Assistant install would have.

Home Assistant installs its dependencies under its own ``package_constraints.txt``; a
resolver left alone takes newer releases that Home Assistant never runs with (pycares 5
beside aiodns 3.2.0 broke every host name lookup that way).
"""

import importlib.metadata
from pathlib import Path
import re

import homeassistant

CONSTRAINTS = Path(homeassistant.__file__).parent / "package_constraints.txt"
PIN = re.compile(r"(?P<name>[A-Za-z0-9_.-]+)(\[[^\]]*\])?==(?P<version>[^\s;#]+)")


def pinned_versions() -> dict[str, str]:
    """Return the exact versions Home Assistant's constraints pin, by package name."""
    pins: dict[str, str] = {}
    for line in CONSTRAINTS.read_text().splitlines():
        if match := PIN.fullmatch(line.split("#", 1)[0].strip()):
            pins[match["name"]] = match["version"]
    return pins


def test_installed_packages_follow_home_assistants_constraints() -> None:
    """Every installed package that Home Assistant pins has exactly that version."""
    pins = pinned_versions()
    assert "aiohttp" in pins
    drifted = {}
    for name, version in pins.items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        if installed != version:
            drifted[name] = f"{installed} installed, {version} pinned"
    assert drifted == {}
