"""The demo's Home Assistant configuration folder: written at every start, bootstrapped once.

Layout (all under the configuration folder, git-ignored in the repository):
- configuration.yaml: from configuration.template.yaml, with the demo's ports (the web
  server's in .storage/http instead on Home Assistant releases that keep them there);
- custom_components/yeastar: a link to the repository's integration (edits show on restart);
- yeastar-demo/pbx-cert.pem, pbx-key.pem: the simulated PBX's self-signed certificate, kept
  so that the fingerprint the config flow trusted stays valid across runs;
- yeastar-demo/bootstrap.json: written once the bootstrap succeeded, with what it configured.
"""

from dataclasses import asdict, dataclass
import json
import os
from pathlib import Path
from string import Template
from typing import Final, Self

from simulator.tls import Certificate, from_files, self_signed

from .http_settings import http_yaml
from .settings import LOOPBACK, REPO_ROOT, DemoSettings

TEMPLATE: Final = Path(__file__).with_name("configuration.template.yaml")
INTEGRATION: Final = REPO_ROOT / "custom_components" / "yeastar"
DEMO_FOLDER: Final = "yeastar-demo"


@dataclass(frozen=True)
class BootstrapRecord:
    """What a successful bootstrap configured: the PBX it trusts, where it reaches it."""

    pbx_port: int
    fingerprint: str

    @classmethod
    def read(cls, path: Path) -> Self | None:
        """Return the record in a file, None when it is missing or unreadable."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                pbx_port=int(data["pbx_port"]), fingerprint=str(data["fingerprint"])
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, path: Path) -> None:
        """Save the record."""
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")


class ConfigFolder:
    """The files of one demo configuration folder."""

    def __init__(self, settings: DemoSettings) -> None:
        """Describe the folder of these settings; nothing is written yet."""
        self.settings = settings
        self.path = settings.config_dir
        self.demo_path = self.path / DEMO_FOLDER

    @property
    def configuration_yaml(self) -> Path:
        """Return the path of configuration.yaml."""
        return self.path / "configuration.yaml"

    @property
    def log_file(self) -> Path:
        """Return Home Assistant's log file."""
        return self.path / "home-assistant.log"

    @property
    def console_log(self) -> Path:
        """Return where Home Assistant's console output goes."""
        return self.demo_path / "home-assistant.console.log"

    @property
    def record_path(self) -> Path:
        """Return the path of the bootstrap record."""
        return self.demo_path / "bootstrap.json"

    def prepare(self, pbx_model: str) -> Certificate:
        """Write configuration.yaml, link the integration, and return the PBX certificate.

        The certificate is self-signed with the PBX model as its name, like a factory PBX's.
        """
        self.demo_path.mkdir(parents=True, exist_ok=True)
        template = Template(TEMPLATE.read_text(encoding="utf-8"))
        http = http_yaml(self.path, self.settings.ha_port)
        self.configuration_yaml.write_text(
            template.substitute(ha_port=self.settings.ha_port, http=http),
            encoding="utf-8",
        )
        self._link_integration()
        return self._certificate(pbx_model)

    def _link_integration(self) -> None:
        """Point custom_components/yeastar at the repository's integration (relative link)."""
        folder = self.path / "custom_components"
        folder.mkdir(exist_ok=True)
        link = folder / "yeastar"
        target = Path(os.path.relpath(INTEGRATION, folder))
        if link.is_symlink() and link.readlink() == target:
            return
        if link.is_symlink() or link.is_file():
            link.unlink()
        elif link.exists():
            raise FileExistsError(
                f"{link} is a folder: remove it to use the repository's integration"
            )
        link.symlink_to(target, target_is_directory=True)

    def _certificate(self, common_name: str) -> Certificate:
        """Return the PBX certificate, created on the first run."""
        cert_path = self.demo_path / "pbx-cert.pem"
        key_path = self.demo_path / "pbx-key.pem"
        if not (cert_path.is_file() and key_path.is_file()):
            certificate = self_signed(common_name, LOOPBACK)
            key_path.touch(mode=0o600)
            key_path.write_bytes(certificate.key_pem)
            cert_path.write_bytes(certificate.cert_pem)
        return from_files(cert_path, key_path)

    def needs_bootstrap(self, fingerprint: str) -> bool:
        """Return True unless a bootstrap already configured this PBX port and certificate."""
        expected = BootstrapRecord(
            pbx_port=self.settings.pbx_port, fingerprint=fingerprint
        )
        return BootstrapRecord.read(self.record_path) != expected

    def record_bootstrap(self, fingerprint: str) -> None:
        """Remember that the bootstrap configured this PBX port and certificate."""
        BootstrapRecord(pbx_port=self.settings.pbx_port, fingerprint=fingerprint).write(
            self.record_path
        )
