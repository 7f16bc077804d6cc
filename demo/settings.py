"""What the demo runs and where: folders, loopback ports, credentials, traffic."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Self

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
LOOPBACK: Final = "127.0.0.1"

ENV_CONFIG: Final = "YEASTAR_DEMO_CONFIG"
ENV_HA_PORT: Final = "YEASTAR_DEMO_HA_PORT"
ENV_PBX_PORT: Final = "YEASTAR_DEMO_PBX_PORT"
ENV_TRAFFIC_RATE: Final = "YEASTAR_DEMO_TRAFFIC_RATE"

# The simulator's API user (its defaults) and the Home Assistant owner of the demo.
PBX_USERNAME: Final = "api"
PBX_PASSWORD: Final = "secret"  # noqa: S105 - the simulator's published demo password
OWNER_NAME: Final = "Demo"
OWNER_USERNAME: Final = "demo"
OWNER_PASSWORD: Final = "demo"  # noqa: S105 - printed on start; Home Assistant listens on loopback only


class SettingsError(ValueError):
    """A demo setting from the environment is not usable."""


def _port(environ: Mapping[str, str], name: str, default: int) -> int:
    """Return a TCP port from the environment."""
    text = environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise SettingsError(f"{name}={text!r} is not a TCP port (1-65535)")
    return int(text)


def _rate(environ: Mapping[str, str], name: str, default: float) -> float:
    """Return a non-negative number of calls per minute from the environment."""
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not rate >= 0:
        raise SettingsError(f"{name}={text!r} is not a number of calls per minute")
    return rate


@dataclass(frozen=True, kw_only=True)
class DemoSettings:
    """Where the demo keeps Home Assistant's configuration and which ports it listens on."""

    config_dir: Path = REPO_ROOT / "demo_config"
    ha_port: int = 8123
    pbx_port: int = 8088
    traffic_rate: float = 6.0

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Self:
        """Return the settings, each overridable by a YEASTAR_DEMO_* variable."""
        defaults = cls()
        config = environ.get(ENV_CONFIG, "").strip()
        settings = cls(
            config_dir=Path(config).resolve() if config else defaults.config_dir,
            ha_port=_port(environ, ENV_HA_PORT, defaults.ha_port),
            pbx_port=_port(environ, ENV_PBX_PORT, defaults.pbx_port),
            traffic_rate=_rate(environ, ENV_TRAFFIC_RATE, defaults.traffic_rate),
        )
        if settings.ha_port == settings.pbx_port:
            raise SettingsError(
                f"Home Assistant and the PBX cannot share port {settings.ha_port}"
            )
        return settings

    @property
    def ha_url(self) -> str:
        """Return Home Assistant's URL, e.g. http://127.0.0.1:8123."""
        return f"http://{LOOPBACK}:{self.ha_port}"

    @property
    def pbx_url(self) -> str:
        """Return the simulated PBX's URL (HTTPS with a self-signed certificate)."""
        return f"https://{LOOPBACK}:{self.pbx_port}"
