"""First start of the demo: configure Home Assistant as a person would, without a browser.

Runs a real Home Assistant core on the demo's configuration folder, with no web server:
creates the owner, marks onboarding done, adds the PBX through the integration's own
config flow (trusting the simulator's self-signed certificate only when its fingerprint is
the expected one), stores the dashboard, then stops so that every store is written.
Each step leaves what already exists alone, so running it again is harmless.

Usage: python -m demo.bootstrap --config DIR --pbx-port PORT --fingerprint SHA256HEX
"""

import argparse
import asyncio
from collections.abc import Sequence
import importlib
import logging
from pathlib import Path
import sys
from typing import Any

from homeassistant import bootstrap, config as conf_util, loader
from homeassistant.auth.const import GROUP_ID_ADMIN
from homeassistant.auth.providers.homeassistant import HassAuthProvider
from homeassistant.components import onboarding
from homeassistant.components.lovelace.dashboard import LovelaceStorage
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_SYSTEM,
    SOURCE_USER,
    ConfigEntries,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlowResult,
)
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.storage import Store

from custom_components.yeastar.const import CONF_TLS_FINGERPRINT, DOMAIN
from custom_components.yeastar.pbx.tls import format_fingerprint

from .dashboard import ROLE_BY_TRANSLATION_KEY, OfficeEntity, build_dashboard
from .settings import (
    LOOPBACK,
    OWNER_NAME,
    OWNER_PASSWORD,
    OWNER_USERNAME,
    PBX_PASSWORD,
    PBX_USERNAME,
)

LOGGER = logging.getLogger("demo.bootstrap")


class BootstrapError(HomeAssistantError):
    """The demo could not be configured."""


async def ensure_owner(hass: HomeAssistant) -> None:
    """Create the owner (login demo / demo) unless a person already uses this instance."""
    users = await hass.auth.async_get_users()
    if any(not user.system_generated for user in users):
        return
    provider = next(
        (p for p in hass.auth.auth_providers if isinstance(p, HassAuthProvider)), None
    )
    if provider is None:
        raise BootstrapError("configuration.yaml has no homeassistant auth provider")
    await provider.async_initialize()
    user = await hass.auth.async_create_user(OWNER_NAME, group_ids=[GROUP_ID_ADMIN])
    await provider.async_add_auth(OWNER_USERNAME, OWNER_PASSWORD)
    credentials = await provider.async_get_or_create_credentials(
        {"username": OWNER_USERNAME}
    )
    await hass.auth.async_link_user(user, credentials)
    LOGGER.info("Created the owner %r", OWNER_NAME)


async def mark_onboarded(hass: HomeAssistant) -> None:
    """Mark every onboarding step done, as the onboarding wizard does at its end."""
    store: Store[dict[str, Any]] = Store(
        hass, onboarding.STORAGE_VERSION, onboarding.STORAGE_KEY, private=True
    )
    await store.async_save({"done": list(onboarding.STEPS)})


async def ensure_backup_entry(hass: HomeAssistant) -> None:
    """Add the backup entry as Home Assistant's first start does.

    Home Assistant adds it through a system flow at its first start, which leaves a
    "New devices discovered" notification behind; the demo starts without it.
    """
    if not hass.config_entries.async_entries("backup"):
        _initialize_backup(hass)
        await hass.config_entries.flow.async_init(
            "backup", context={"source": SOURCE_SYSTEM}, data={}
        )


def _initialize_backup(hass: HomeAssistant) -> None:
    """Prepare the backup integration as Home Assistant's start does first.

    Home Assistant 2025.x does it with ``helpers.backup``; 2026.x has no such helper and
    needs nothing before the flow.
    """
    try:
        helper = importlib.import_module("homeassistant.helpers.backup")
    except ModuleNotFoundError:
        return
    helper.async_initialize_backup(hass)


async def _finish_flow(
    hass: HomeAssistant, result: ConfigFlowResult, fingerprint: str
) -> ConfigFlowResult:
    """Answer the trust step when the PBX shows the expected certificate."""
    if (
        result["type"] is FlowResultType.FORM
        and result["step_id"] == "trust_certificate"
    ):
        offered = (result.get("description_placeholders") or {}).get("fingerprint")
        if offered != format_fingerprint(fingerprint):
            raise BootstrapError(f"the PBX shows the certificate {offered}, not ours")
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    if result["type"] is FlowResultType.FORM:
        raise BootstrapError(
            f"the config flow stopped at {result['step_id']!r}: {result.get('errors')}"
        )
    return result


async def ensure_entry(
    hass: HomeAssistant, pbx_port: int, fingerprint: str
) -> ConfigEntry:
    """Add the PBX through the config flow, or point the entry at it (reconfigure flow)."""
    address = {
        CONF_HOST: LOOPBACK,
        CONF_PORT: pbx_port,
        CONF_SSL: True,
        CONF_USERNAME: PBX_USERNAME,
    }
    entries = hass.config_entries.async_entries(DOMAIN)
    if not entries:
        flow = hass.config_entries.flow
        result = await flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        result = await flow.async_configure(
            result["flow_id"], address | {"password": PBX_PASSWORD}
        )
        result = await _finish_flow(hass, result, fingerprint)
        if result["type"] is not FlowResultType.CREATE_ENTRY:
            raise BootstrapError(f"the config flow ended with {result.get('reason')!r}")
        LOGGER.info("Added %s through the config flow", result["title"])
        entry: ConfigEntry = result["result"]
        return entry
    entry = entries[0]
    expected = address | {CONF_TLS_FINGERPRINT: fingerprint}
    if all(entry.data.get(key) == value for key, value in expected.items()):
        return entry
    flow = hass.config_entries.flow
    result = await flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    result = await flow.async_configure(result["flow_id"], address)
    result = await _finish_flow(hass, result, fingerprint)
    if result.get("reason") != "reconfigure_successful":
        raise BootstrapError(
            f"the reconfigure flow ended with {result.get('reason')!r}"
        )
    LOGGER.info("Reconfigured %s for port %s (reconfigure flow)", entry.title, pbx_port)
    return entry


def office_entities(hass: HomeAssistant, entry: ConfigEntry) -> list[OfficeEntity]:
    """Return the entry's entities the dashboard shows, with their devices' names."""
    devices = dr.async_get(hass)
    entities = []
    for item in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        role = ROLE_BY_TRANSLATION_KEY.get((item.domain, item.translation_key or ""))
        device = devices.async_get(item.device_id) if item.device_id else None
        if role is None or device is None:
            continue
        order = min(ident for domain, ident in device.identifiers if domain == DOMAIN)
        entities.append(
            OfficeEntity(
                entity_id=item.entity_id,
                role=role,
                name=device.name_by_user or device.name or item.entity_id,
                model=device.model or "",
                order=order,
            )
        )
    return entities


async def ensure_dashboard(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Store the default dashboard unless one is stored already (edits are kept)."""
    dashboard = LovelaceStorage(hass, None)
    if (await dashboard.async_get_info()).get("mode") != "auto-gen":
        return
    if entry.state is not ConfigEntryState.LOADED:
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    entities = office_entities(hass, entry)
    if not entities:
        raise BootstrapError(f"{entry.title} has no entities ({entry.state})")
    await dashboard.async_save(build_dashboard(entities))
    LOGGER.info("Stored the dashboard (%d entities)", len(entities))


async def start_core(config_dir: Path) -> HomeAssistant:
    """Return a Home Assistant core on the folder: registries, auth, no web server."""
    hass = HomeAssistant(str(config_dir))
    loader.async_setup(hass)
    hass.config.skip_pip = True
    config = await conf_util.async_hass_config_yaml(hass)
    hass.config_entries = ConfigEntries(hass, config)
    await loader.async_get_custom_components(hass)
    await bootstrap.async_load_base_functionality(hass)
    await async_process_ha_core_config(hass, config.get("homeassistant", {}))
    return hass


async def configure(config_dir: Path, pbx_port: int, fingerprint: str) -> None:
    """Configure the folder, then stop Home Assistant so that every store is flushed."""
    hass = await start_core(config_dir)
    try:
        await ensure_owner(hass)
        await mark_onboarded(hass)
        await ensure_backup_entry(hass)
        entry = await ensure_entry(hass, pbx_port, fingerprint)
        await hass.async_block_till_done()
        await ensure_dashboard(hass, entry)
        for loaded in hass.config_entries.async_entries():
            if loaded.state is ConfigEntryState.LOADED:
                await hass.config_entries.async_unload(loaded.entry_id)
    finally:
        # Not started (no web server): force the stop stages, which write every store.
        await hass.async_stop(force=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and configure; 1 with a message when it fails."""
    parser = argparse.ArgumentParser(prog="python -m demo.bootstrap")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--pbx-port", type=int, required=True)
    parser.add_argument("--fingerprint", required=True)
    args = parser.parse_args(argv)
    # Home Assistant's own start-up warnings (custom integration, zlib) would only distract.
    logging.basicConfig(
        level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s"
    )
    LOGGER.setLevel(logging.INFO)
    try:
        asyncio.run(configure(args.config, args.pbx_port, args.fingerprint))
    except HomeAssistantError as err:
        LOGGER.error("Could not configure the demo: %s", err)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
