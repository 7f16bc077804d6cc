"""The demo's dashboard: the office at a glance, built from the entities the integration made.

Pure data in, Lovelace configuration out: the bootstrap reads the entity and device
registries into OfficeEntity items, and stores what build_dashboard returns. One sections
view, two columns wide for the extensions (SIP phones, then analog ports), one for the
trunks and the PBX.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

VIEW_PATH: Final = "office"
# What each entity is for, by the translation key the integration gives it.
ROLE_BY_TRANSLATION_KEY: Final = {
    "status": "extension",
    "trunk_status": "trunk",
    "last_report": "pbx",
}
# Tile widths in the 12-column grid of a section column.
THIRD: Final = {"columns": 8}  # three tiles a row in a section two columns wide
FULL: Final = {"columns": 12}
PBX_MARKDOWN: Final = """\
{%- set device = device_id('ENTITY') -%}
**{{ device_attr(device, 'model') }}**, serial {{ device_attr(device, 'serial_number') }},
firmware {{ device_attr(device, 'sw_version') }}"""


@dataclass(frozen=True, kw_only=True)
class OfficeEntity:
    """One entity of the integration, with what the dashboard needs to place it.

    role: "extension", "trunk" or "pbx"; name and model: its device's; order: sort key.
    """

    entity_id: str
    role: str
    name: str
    model: str = ""
    order: str = ""


def _heading(title: str, icon: str) -> dict[str, Any]:
    """Return a heading card."""
    return {"type": "heading", "heading": title, "icon": icon}


def _tile(
    entity: OfficeEntity, width: dict[str, int], name: str = ""
) -> dict[str, Any]:
    """Return a tile card showing an entity's state, named after its device."""
    return {
        "type": "tile",
        "entity": entity.entity_id,
        "name": name or entity.name,
        "state_content": "state",
        "grid_options": dict(width),
    }


def _of_role(entities: Iterable[OfficeEntity], role: str) -> list[OfficeEntity]:
    """Return the entities of one role in their natural order."""
    return sorted(
        (entity for entity in entities if entity.role == role),
        key=lambda entity: (entity.order, entity.name),
    )


def _trunk_name(trunk: OfficeEntity) -> str:
    """Return a trunk tile's name: the trunk and its kind."""
    return f"{trunk.name} · {trunk.model}" if trunk.model else trunk.name


def extensions_section(extensions: list[OfficeEntity]) -> dict[str, Any]:
    """Return the section of every extension: SIP phones, then analog (FXS) ports."""
    analog = [entity for entity in extensions if entity.model.startswith("FXS")]
    phones = [entity for entity in extensions if entity not in analog]
    cards = [_heading("Phones", "mdi:phone-voip")]
    cards += [_tile(entity, THIRD) for entity in phones]
    if analog:
        cards.append(_heading("Analog ports", "mdi:phone-classic"))
        cards += [_tile(entity, THIRD) for entity in analog]
    return {"type": "grid", "column_span": 2, "cards": cards}


def pbx_section(trunks: list[OfficeEntity], pbx: list[OfficeEntity]) -> dict[str, Any]:
    """Return the section of the trunks and the PBX itself."""
    cards = [_heading("Trunks", "mdi:phone-settings")]
    cards += [_tile(trunk, FULL, _trunk_name(trunk)) for trunk in trunks]
    for entity in pbx:
        cards += [
            _heading("PBX", "mdi:phone-log"),
            _tile(entity, FULL, "Last report from the PBX"),
            {
                "type": "markdown",
                "text_only": True,
                "content": PBX_MARKDOWN.replace("ENTITY", entity.entity_id),
                "grid_options": dict(FULL),
            },
        ]
    return {"type": "grid", "cards": cards}


def build_dashboard(entities: Iterable[OfficeEntity]) -> dict[str, Any]:
    """Return the Lovelace configuration of the demo's default dashboard."""
    entities = list(entities)
    return {
        "title": "Demo office",
        "views": [
            {
                "title": "Office",
                "path": VIEW_PATH,
                "icon": "mdi:office-building",
                "type": "sections",
                "max_columns": 3,
                "sections": [
                    extensions_section(_of_role(entities, "extension")),
                    pbx_section(_of_role(entities, "trunk"), _of_role(entities, "pbx")),
                ],
            }
        ],
    }
