"""Demo settings from the environment, and the port check."""

from pathlib import Path
import socket

import pytest

from demo.ports import port_is_free, taken_ports
from demo.settings import REPO_ROOT, DemoSettings, SettingsError


def test_defaults() -> None:
    settings = DemoSettings.from_environment({})
    assert settings.config_dir == REPO_ROOT / "demo_config"
    assert (settings.ha_port, settings.pbx_port) == (8123, 8088)
    assert settings.traffic_rate == 6.0
    assert settings.ha_url == "http://127.0.0.1:8123"
    assert settings.pbx_url == "https://127.0.0.1:8088"


def test_environment_overrides(tmp_path: Path) -> None:
    settings = DemoSettings.from_environment(
        {
            "YEASTAR_DEMO_CONFIG": str(tmp_path / "config"),
            "YEASTAR_DEMO_HA_PORT": "18123",
            "YEASTAR_DEMO_PBX_PORT": " 18088 ",
            "YEASTAR_DEMO_TRAFFIC_RATE": "0",
        }
    )
    assert settings == DemoSettings(
        config_dir=tmp_path / "config", ha_port=18123, pbx_port=18088, traffic_rate=0.0
    )


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"YEASTAR_DEMO_HA_PORT": "http"},
            "YEASTAR_DEMO_HA_PORT='http' is not a TCP port",
        ),
        (
            {"YEASTAR_DEMO_PBX_PORT": "70000"},
            "YEASTAR_DEMO_PBX_PORT='70000' is not a TCP port",
        ),
        ({"YEASTAR_DEMO_PBX_PORT": "0"}, "is not a TCP port"),
        ({"YEASTAR_DEMO_TRAFFIC_RATE": "-1"}, "is not a number of calls per minute"),
        ({"YEASTAR_DEMO_TRAFFIC_RATE": "lots"}, "is not a number of calls per minute"),
        ({"YEASTAR_DEMO_TRAFFIC_RATE": "nan"}, "is not a number of calls per minute"),
        (
            {"YEASTAR_DEMO_HA_PORT": "9000", "YEASTAR_DEMO_PBX_PORT": "9000"},
            "cannot share port 9000",
        ),
    ],
)
def test_bad_settings_are_refused(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")):
        DemoSettings.from_environment(environ)


def test_taken_ports_lists_ports_with_a_listener() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        busy = server.getsockname()[1]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            free = probe.getsockname()[1]
        assert not port_is_free(busy)
        assert port_is_free(free)
        assert taken_ports([free, busy]) == [busy]
