"""Where the demo puts Home Assistant's web server settings (its address and port).

Up to Home Assistant 2026.9 they are the ``http:`` section of configuration.yaml. Newer
releases keep them in their own store (``.storage/http``): an ``http:`` section is then
migrated once as a *pending* trial, which the frontend asks the user to confirm (and
reverts five minutes later), and ignored on every later start. So on those releases the
demo writes the store itself at every start, as a confirmed (stable) configuration, and
leaves the YAML section out.
"""

from datetime import UTC, datetime
import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

from .settings import LOOPBACK

YAML_SECTION = """\
http:
  server_host: {host}
  server_port: {port}
"""


def _http_store_module() -> ModuleType | None:
    """Return Home Assistant's HTTP settings store module, None before it existed."""
    try:
        module = importlib.import_module("homeassistant.components.http.config")
    except ImportError:
        return None
    return module if hasattr(module, "HTTPConfigStore") else None


def http_yaml(config_dir: Path, port: int) -> str:
    """Write the web server settings where this Home Assistant reads them.

    Returns the configuration.yaml section to include ("" when they are in the store).
    """
    store = _http_store_module()
    if store is None:
        return YAML_SECTION.format(host=LOOPBACK, port=port)
    stable: dict[str, Any] = {
        **store.HTTP_STORAGE_SCHEMA({"server_host": [LOOPBACK], "server_port": port}),
        "created_at": datetime.now(UTC).isoformat(),
        "error": None,
        "error_message": None,
    }
    contents = {
        "version": store.STORAGE_VERSION,
        "minor_version": store.STORAGE_MINOR_VERSION,
        "key": store.STORAGE_KEY,
        "data": {"stable": stable, "pending": None, "yaml_migration_done": True},
    }
    path = config_dir / ".storage" / store.STORAGE_KEY
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(contents, indent=2), encoding="utf-8")
    return ""
