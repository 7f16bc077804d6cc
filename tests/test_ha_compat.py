"""Tests for scripts/check_ha_compat.py on small synthetic Home Assistant trees."""

from collections.abc import Mapping
import importlib.metadata
import importlib.util
from pathlib import Path
import subprocess
import sys
from types import ModuleType
import zipfile

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_ha_compat.py"


def _load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_ha_compat", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


checker = _load_checker()

FAKE_HA: Mapping[str, str] = {
    "homeassistant/__init__.py": "",
    "homeassistant/const.py": (
        "from enum import StrEnum\n"
        "from typing import TYPE_CHECKING, Final\n"
        "if TYPE_CHECKING:\n"
        "    from collections.abc import Hidden\n"
        "CONF_HOST: Final = 'host'\n"
        "class Platform(StrEnum):\n"
        "    SENSOR = 'sensor'\n"
        "_DEPRECATED_CONF_OLD: Final = ('CONF_OLD', 'CONF_HOST', '2099.1')\n"
    ),
    "homeassistant/core.py": (
        "try:\n"
        "    from orjson import loads\n"
        "except ImportError:\n"
        "    loads = None\n"
        "CALLBACK_TYPE = object\n"
        "def callback(func):\n"
        "    return func\n"
        "class HomeAssistant:\n"
        "    def async_run(self): ...\n"
    ),
    "homeassistant/helpers/__init__.py": "",
    "homeassistant/helpers/device_registry.py": "async def async_get(hass): ...\n",
    "homeassistant/helpers/_private.py": "ConfigType = dict\n",
    "homeassistant/helpers/typing.py": "from ._private import ConfigType as ConfigType\n",
    "homeassistant/helpers/service.py": "def async_register_admin_service(): ...\n",
    "homeassistant/components/__init__.py": "",
    "homeassistant/components/webhook/__init__.py": "def async_register(): ...\n",
}

GOOD_INTEGRATION: Mapping[str, str] = {
    "__init__.py": (
        "from homeassistant.const import CONF_HOST, Platform\n"
        "from homeassistant.core import HomeAssistant, callback\n"
        "from homeassistant.helpers import device_registry as dr\n"
        "from homeassistant.helpers.typing import ConfigType\n"
        "from .const import DOMAIN\n"
        "PLATFORMS = [Platform.SENSOR]\n"
        "def setup(hass):\n"
        "    return dr.async_get(hass)\n"
    ),
    "webhook.py": (
        "from homeassistant.components import webhook\n"
        "import homeassistant.helpers.device_registry\n"
        "def register():\n"
        "    webhook.async_register()\n"
        "    homeassistant.helpers.device_registry.async_get(None)\n"
    ),
    "const.py": "DOMAIN = 'yeastar'\n",
    "pbx/__init__.py": "",
    "pbx/client.py": "import asyncio\nfrom . import errors\n",
}


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def write_wheel(path: Path, files: Mapping[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as wheel:
        for name, text in files.items():
            wheel.writestr(name, text)
    return path


def run_on(tmp_path: Path, integration: Mapping[str, str]) -> tuple[list[str], bool]:
    integration_dir = write_tree(tmp_path / "yeastar", integration)
    installed = checker.directory_source(
        write_tree(tmp_path / "site", FAKE_HA), "1.0.0"
    )
    return checker.run_check(integration_dir, installed, None)


def test_present_names_pass(tmp_path: Path) -> None:
    lines, ok = run_on(tmp_path, GOOD_INTEGRATION)

    assert ok
    # CONF_HOST, Platform, HomeAssistant, callback, device_registry (+ .async_get),
    # typing.ConfigType, components.webhook (+ .async_register), and the plain import.
    assert lines == ["checked 9 names against 1.0.0: all present"]


def test_missing_name_is_reported_with_its_location(tmp_path: Path) -> None:
    lines, ok = run_on(
        tmp_path,
        {
            "services.py": (
                "from homeassistant.helpers.service import (\n"
                "    async_register_admin_service,\n"
                "    async_get_config_entry,\n"
                ")\n"
            )
        },
    )

    assert not ok
    assert lines == [
        "MISSING in 1.0.0: homeassistant.helpers.service.async_get_config_entry "
        "(used in services.py:3)",
        "checked 2 names against 1.0.0: 1 missing",
    ]


def test_missing_module_is_reported_once_for_all_its_names(tmp_path: Path) -> None:
    lines, ok = run_on(
        tmp_path, {"a.py": "from homeassistant.helpers.gone import one, two\n"}
    )

    assert not ok
    assert lines[0] == "MISSING in 1.0.0: homeassistant.helpers.gone (used in a.py:1)"
    assert lines[-1] == "checked 1 name against 1.0.0: 1 missing"


def test_module_alias_attribute_uses_are_checked(tmp_path: Path) -> None:
    lines, ok = run_on(
        tmp_path,
        {
            "a.py": (
                "from homeassistant.helpers import device_registry as dr\n"
                "import homeassistant.helpers.service as service_helper\n"
                "from homeassistant.components import webhook\n"
                "dr.async_get(None)\n"
                "dr.async_gone(None)\n"
                "service_helper.async_get_config_entry()\n"
                "webhook.async_unregister()\n"
                "webhook.async_register()\n"
                "dr.async_lost(None).async_get_or_create().async_gone\n"
                "from homeassistant.helpers.gone import *\n"
            )
        },
    )

    assert not ok
    assert [line for line in lines if line.startswith("MISSING")] == [
        "MISSING in 1.0.0: homeassistant.components.webhook.async_unregister (used in a.py:7)",
        "MISSING in 1.0.0: homeassistant.helpers.device_registry.async_gone (used in a.py:5)",
        "MISSING in 1.0.0: homeassistant.helpers.device_registry.async_lost (used in a.py:9)",
        "MISSING in 1.0.0: homeassistant.helpers.gone (used in a.py:10)",
        "MISSING in 1.0.0: homeassistant.helpers.service.async_get_config_entry "
        "(used in a.py:6)",
    ]


def test_plain_import_attribute_chain_walks_submodules(tmp_path: Path) -> None:
    lines, ok = run_on(
        tmp_path,
        {
            "a.py": (
                "import homeassistant.helpers.device_registry\n"
                "homeassistant.helpers.device_registry.async_gone(None)\n"
                "homeassistant.core.HomeAssistant.async_run\n"
            )
        },
    )

    assert not ok
    assert lines[0] == (
        "MISSING in 1.0.0: homeassistant.helpers.device_registry.async_gone (used in a.py:2)"
    )
    # Attributes of a class (HomeAssistant.async_run) are out of scope: only the class is checked.
    assert len(lines) == 2


def test_deprecated_alias_is_a_note_not_a_failure(tmp_path: Path) -> None:
    lines, ok = run_on(tmp_path, {"a.py": "from homeassistant.const import CONF_OLD\n"})

    assert ok
    assert lines == [
        "DEPRECATED in 1.0.0: homeassistant.const.CONF_OLD (used in a.py:1)",
        "checked 1 name against 1.0.0: all present",
    ]


def test_type_checking_only_names_do_not_count(tmp_path: Path) -> None:
    lines, ok = run_on(tmp_path, {"a.py": "from homeassistant.const import Hidden\n"})

    assert not ok
    assert lines[0] == "MISSING in 1.0.0: homeassistant.const.Hidden (used in a.py:1)"


def test_homeassistant_import_in_pbx_is_forbidden(tmp_path: Path) -> None:
    integration = {
        **GOOD_INTEGRATION,
        "pbx/client.py": "import homeassistant.core\n",
        "pbx/deep/models.py": "from homeassistant.const import CONF_HOST\n",
    }

    lines, ok = run_on(tmp_path, integration)

    assert not ok
    assert lines == [
        "FORBIDDEN: pbx/client.py:1 imports homeassistant.core "
        "(pbx/ must not import Home Assistant)",
        "FORBIDDEN: pbx/deep/models.py:1 imports homeassistant.const "
        "(pbx/ must not import Home Assistant)",
        "checked 9 names against 1.0.0: 2 forbidden in pbx/",
    ]


def test_module_level_names_from_the_ast() -> None:
    source = (
        b"import os.path\n"
        b"import json as _json\n"
        b"from .x import a, b as c\n"
        b"A = B = 1\n"
        b"(D, [E, *F]) = 1, [2, 3]\n"
        b"G: int = 1\n"
        b"type H = int\n"
        b"async def i(): ...\n"
        b"class J:\n"
        b"    inner = 1\n"
        b"def k():\n"
        b"    local = 1\n"
        b"if TYPE_CHECKING:\n"
        b"    hidden = 1\n"
        b"else:\n"
        b"    L = 1\n"
        b"with open('f') as handle:\n"
        b"    M = 1\n"
        b"try:\n"
        b"    N = 1\n"
        b"except ImportError:\n"
        b"    O = 1\n"
        b"finally:\n"
        b"    P = 1\n"
        b"if sys.version_info >= (3, 12):\n"
        b"    Q = 1\n"
    )

    names = checker.module_level_names(source)

    assert names.fallback_reason is None
    assert names.names == {
        "os",
        "_json",
        "a",
        "c",
        "A",
        "B",
        "D",
        "E",
        "F",
        "G",
        "H",
        "i",
        "J",
        "k",
        "L",
        "M",
        "N",
        "O",
        "P",
        "Q",
    }


def test_regex_fallback_for_newer_syntax() -> None:
    # "??" stands for syntax a newer Python may add: no release parses it (3.14 accepts
    # `except A, B:`, which therefore cannot play that part on every stage).
    source = (
        b"from .a import (\n"
        b"    one,  # comment\n"
        b"    two as second,\n"
        b")\n"
        b"from .b import three\n"
        b"import os.path, json as _json\n"
        b"CONSTANT = 1\n"
        b"TYPED: int = 2\n"
        b"type Alias = int\n"
        b"class Thing:\n"
        b"    nested = 1\n"
        b"async def run():\n"
        b"    try:\n"
        b"        pass\n"
        b"    except KeyError ?? ValueError:\n"
        b"        pass\n"
        b"def other(): ...\n"
        b"try:\n"
        b"    indented = 1\n"
        b"except ImportError:\n"
        b"    pass\n"
        b"else:\n"
        b"    pass\n"
        b"if CONSTANT == 1: pass\n"
    )

    names = checker.module_level_names(source)

    assert names.fallback_reason is not None
    assert names.fallback_reason.startswith("line 15:")
    assert names.names == {
        "one",
        "second",
        "three",
        "os",
        "_json",
        "CONSTANT",
        "TYPED",
        "Alias",
        "Thing",
        "run",
        "other",
    }


def test_wheel_source_with_regex_fallback(tmp_path: Path) -> None:
    integration_dir = write_tree(
        tmp_path / "yeastar",
        {
            "a.py": (
                "from homeassistant.core import HomeAssistant, callback\n"
                "from homeassistant.helpers import device_registry as dr\n"
                "dr.async_get(None)\n"
            )
        },
    )
    installed = checker.directory_source(
        write_tree(tmp_path / "site", FAKE_HA), "1.0.0"
    )
    newer_core = (
        "class HomeAssistant:\n"
        "    def run(self):\n"
        "        try:\n"
        "            pass\n"
        "        except KeyError ?? ValueError:\n"
        "            pass\n"
    )
    wheel = write_wheel(
        tmp_path / "homeassistant-2099.1.0-py3-none-any.whl",
        {
            **FAKE_HA,
            "homeassistant/core.py": newer_core,
            "homeassistant/helpers/device_registry.py": "def async_get_registry(): ...\n",
            "homeassistant-2099.1.0.dist-info/METADATA": "Name: homeassistant\n",
        },
    )

    lines, ok = checker.run_check(integration_dir, installed, wheel)

    assert not ok
    assert lines[0].startswith(
        "note: 2099.1.0: homeassistant/core.py is not parseable by Python "
        f"{sys.version_info.major}.{sys.version_info.minor} (line 5: "
    )
    assert lines[0].endswith("; used a regex scan of its top-level lines")
    assert lines[1:] == [
        "MISSING in 2099.1.0: homeassistant.core.callback (used in a.py:1)",
        "MISSING in 2099.1.0: homeassistant.helpers.device_registry.async_get "
        "(used in a.py:3)",
        "checked 4 names against 1.0.0 and 2099.1.0: 2 missing",
    ]


def completed(
    returncode: int, stdout: str = "", stderr: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess([], returncode, stdout, stderr)


def test_download_reuses_the_wheel_pip_names(tmp_path: Path) -> None:
    wheel = tmp_path / "cache dir" / "homeassistant-2099.1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"")
    (tmp_path / "cache dir" / "homeassistant-2098.1.0-py3-none-any.whl").write_bytes(
        b""
    )
    commands: list[list[str]] = []

    def run(command: list[str]) -> subprocess.CompletedProcess[str]:
        commands.append(command)
        return completed(
            0, f"Collecting homeassistant\n  File was already downloaded {wheel}\n"
        )

    assert checker.download_newest_wheel(wheel.parent, run) == wheel
    [command] = commands
    assert command[1:5] == ["-m", "pip", "download", "homeassistant"]
    assert command[command.index("--python-version") + 1] == "3.14.2"
    assert command[command.index("-d") + 1] == str(wheel.parent)
    assert "--no-deps" in command
    assert "--only-binary" in command


def test_download_finds_a_freshly_saved_wheel(tmp_path: Path) -> None:
    def run(command: list[str]) -> subprocess.CompletedProcess[str]:
        dest = Path(command[command.index("-d") + 1])
        (dest / "homeassistant-2099.2.0-py3-none-any.whl").write_bytes(b"")
        return completed(0, "Saved ./homeassistant-2099.2.0-py3-none-any.whl\n")

    wheel = checker.download_newest_wheel(tmp_path / "new-cache", run)

    assert wheel == tmp_path / "new-cache" / "homeassistant-2099.2.0-py3-none-any.whl"
    assert checker.wheel_version(wheel) == "2099.2.0"


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (
            completed(1, stderr="ERROR: Could not find a version\nNo network\n"),
            "No network",
        ),
        (
            completed(0, "Successfully downloaded homeassistant\n"),
            "named no homeassistant",
        ),
        (
            completed(0, "Saved ./homeassistant-1.0-py3-none-any.whl\n"),
            "does not exist",
        ),
    ],
)
def test_download_failures_raise(
    tmp_path: Path, result: subprocess.CompletedProcess[str], message: str
) -> None:
    with pytest.raises(checker.WheelDownloadError, match=message):
        checker.download_newest_wheel(tmp_path, lambda _command: result)


def test_main_without_newest_checks_only_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    integration_dir = write_tree(tmp_path / "yeastar", GOOD_INTEGRATION)
    monkeypatch.setattr(checker, "INTEGRATION_DIR", integration_dir)
    monkeypatch.setenv("YEASTAR_SKIP_NEWEST_HA", "1")

    assert checker.main() == 0

    installed = importlib.metadata.version("homeassistant")
    assert capsys.readouterr().out.splitlines() == [
        "YEASTAR_SKIP_NEWEST_HA=1: checking only the installed Home Assistant",
        f"checked 9 names against {installed}: all present",
    ]


def test_main_fails_clearly_when_the_download_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(_dest: Path) -> Path:
        raise checker.WheelDownloadError("pip download exited with 1: no network")

    monkeypatch.delenv("YEASTAR_SKIP_NEWEST_HA", raising=False)
    monkeypatch.setattr(checker, "download_newest_wheel", fail)

    assert checker.main() == 1

    error = capsys.readouterr().err
    assert "cannot download the newest Home Assistant wheel" in error
    assert "no network" in error
    assert "YEASTAR_SKIP_NEWEST_HA=1" in error
