"""The demo's configuration folder: written every start, certificate and bootstrap kept."""

import importlib.util
import json
from pathlib import Path

import pytest
import yaml

from demo.config_folder import INTEGRATION, BootstrapRecord, ConfigFolder
from demo.settings import DemoSettings


def folder_for(path: Path, ha_port: int = 18123, pbx_port: int = 18088) -> ConfigFolder:
    return ConfigFolder(
        DemoSettings(config_dir=path, ha_port=ha_port, pbx_port=pbx_port)
    )


# Home Assistant 2026.10 and later keep the web server's settings in .storage/http.
HTTP_IN_STORE = (
    importlib.util.find_spec("homeassistant.components.http.config") is not None
)


def web_server(folder: ConfigFolder) -> tuple[list[str], int]:
    """Return the web server's addresses and port, from wherever this release reads them."""
    config = yaml.safe_load(folder.configuration_yaml.read_text())
    store = folder.path / ".storage" / "http"
    if not HTTP_IN_STORE:
        assert not store.exists()
        http = config["http"]
        return [http["server_host"]], http["server_port"]
    assert (
        "http" not in config
    )  # else migrated once as a trial to confirm, then ignored
    data = json.loads(store.read_text())["data"]
    assert data["pending"] is None
    assert data["yaml_migration_done"] is True
    return data["stable"]["server_host"], data["stable"]["server_port"]


def test_web_server_settings_follow_the_port_on_every_start(tmp_path: Path) -> None:
    """The port of this run, not the first run's: the store is written every start too."""
    folder_for(tmp_path / "config").prepare("Yeastar S100")
    folder = folder_for(tmp_path / "config", ha_port=18124)
    folder.prepare("Yeastar S100")
    assert web_server(folder) == (["127.0.0.1"], 18124)


def test_prepare_writes_configuration_with_the_ports_and_trusted_loopback(
    tmp_path: Path,
) -> None:
    folder = folder_for(tmp_path / "config")
    folder.prepare("Yeastar S100")
    config = yaml.safe_load(folder.configuration_yaml.read_text())
    core = config["homeassistant"]
    assert core["internal_url"] == "http://127.0.0.1:18123"
    assert web_server(folder) == (["127.0.0.1"], 18123)
    trusted, local = core["auth_providers"]
    assert trusted == {
        "type": "trusted_networks",
        "trusted_networks": ["127.0.0.1/32", "::1/128"],
        "allow_bypass_login": True,
    }
    assert local == {"type": "homeassistant"}
    assert {"frontend", "config", "lovelace", "logger"} <= config.keys()
    assert "default_config" not in config


def test_prepare_links_the_repository_integration_relatively(tmp_path: Path) -> None:
    folder = folder_for(tmp_path / "config")
    folder.prepare("Yeastar S100")
    link = folder.path / "custom_components" / "yeastar"
    assert link.is_symlink()
    assert not link.readlink().is_absolute()
    assert link.resolve() == INTEGRATION.resolve()
    assert (link / "manifest.json").is_file()


def test_prepare_replaces_a_stale_link_and_refuses_a_real_folder(
    tmp_path: Path,
) -> None:
    folder = folder_for(tmp_path / "config")
    link = folder.path / "custom_components" / "yeastar"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "elsewhere")
    folder.prepare("Yeastar S100")
    assert link.resolve() == INTEGRATION.resolve()
    link.unlink()
    link.mkdir()
    with pytest.raises(FileExistsError, match="is a folder"):
        folder.prepare("Yeastar S100")


def test_certificate_is_made_once_and_kept(tmp_path: Path) -> None:
    folder = folder_for(tmp_path / "config")
    first = folder.prepare("Yeastar S100")
    again = folder_for(tmp_path / "config", ha_port=28123).prepare("Yeastar S100")
    assert again == first
    assert first.fingerprint == again.fingerprint
    assert (folder.demo_path / "pbx-key.pem").stat().st_mode & 0o077 == 0
    assert "28123" in folder.configuration_yaml.read_text()


def test_bootstrap_is_needed_until_recorded_for_this_port_and_certificate(
    tmp_path: Path,
) -> None:
    folder = folder_for(tmp_path / "config")
    folder.prepare("Yeastar S100")
    assert folder.needs_bootstrap("ab" * 32)
    folder.record_bootstrap("ab" * 32)
    assert BootstrapRecord.read(folder.record_path) == BootstrapRecord(
        pbx_port=18088, fingerprint="ab" * 32
    )
    assert not folder.needs_bootstrap("ab" * 32)
    assert folder.needs_bootstrap("cd" * 32)
    assert folder_for(tmp_path / "config", pbx_port=18089).needs_bootstrap("ab" * 32)
    folder.record_path.write_text("{not json")
    assert folder.needs_bootstrap("ab" * 32)
