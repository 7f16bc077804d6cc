"""The demo's dashboard: the office at a glance, built from the entities the integration made.

Pure data in, Lovelace configuration out: the bootstrap reads the entity and device
registries into OfficeEntity items, and stores what build_dashboard returns. One sections
view: the extensions (SIP phones, then analog ports; two columns wide), the calls (the
missed-calls list, a dial button, the last calls), the trunks and the PBX.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

VIEW_PATH: Final = "office"
# What each entity is for, by its platform and the translation key the integration gives it.
ROLE_BY_TRANSLATION_KEY: Final = {
    ("sensor", "status"): "extension",
    ("sensor", "trunk_status"): "trunk",
    ("todo", "missed_calls"): "missed_calls",
    ("sensor", "last_call"): "last_call",
}
# Tile widths in a section column's grid (12 columns a column: 24 in a section two wide).
HALF: Final = {"columns": 12}  # two a row two columns wide, the whole width on a phone
FULL: Final = {"columns": 12}
# Each phone state its own colour; a state not listed (unknown, unavailable) has none.
STATE_COLOURS: Final = {
    "idle": "green",
    "ringing": "orange",
    "busy": "blue",
    "on_hold": "purple",
    "offline": "disabled",
    "malfunction": "red",
}
# The dial button: the reception desk phone calls the plumber of the sample office's
# contacts (a simulated user answers the desk phone after a few seconds).
DIAL_BUTTON: Final = {
    "name": "Reception calls Piet Jansen",
    "caller": "1000",
    "callee": "0612345678",
}
LAST_CALLS_SHOWN: Final = 6
# The newest last calls first: extension, other party, outcome, how long ago.
LAST_CALLS_MARKDOWN: Final = """\
{%- set calls = expand(ENTITIES) | rejectattr('state', 'in', ['unknown', 'unavailable'])
   | sort(attribute='state', reverse=true) | list -%}
{%- for call in calls[:SHOWN] %}
- **{{ device_attr(device_id(call.entity_id), 'name') }}** \
{{- ' ' ~ (call.attributes.name or call.attributes.number or 'unknown number') }} \
{{- ' · ' ~ call.attributes.direction ~ ', ' ~ call.attributes.outcome | replace('_', ' ') }} \
{{- ' · ' ~ relative_time(as_datetime(call.state)) }} ago
{%- else %}
No calls yet.
{%- endfor %}"""
PBX_MARKDOWN: Final = """\
{%- set device = device_id('ENTITY') -%}
**{{ device_attr(device, 'model') }}**, serial {{ device_attr(device, 'serial_number') }},
firmware {{ device_attr(device, 'sw_version') }}"""


@dataclass(frozen=True, kw_only=True)
class OfficeEntity:
    """One entity of the integration, with what the dashboard needs to place it.

    role: a value of ROLE_BY_TRANSLATION_KEY; name and model: its device's; order: sort key.
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


def _when(entity_id: str, state: str, *, negate: bool = False) -> dict[str, str]:
    """Return a visibility condition on an entity's state."""
    return {
        "condition": "state",
        "entity": entity_id,
        ("state_not" if negate else "state"): state,
    }


def _phone_tiles(entity: OfficeEntity) -> list[dict[str, Any]]:
    """Return an extension's tiles: one a colour, only the one of its state shown.

    A tile's colour cannot follow a sensor's state, so each state has a tile of its own
    colour with a visibility condition, and one uncoloured tile shows the other states.
    """
    tiles = [
        _tile(entity, HALF)
        | {"color": colour, "visibility": [_when(entity.entity_id, state)]}
        for state, colour in STATE_COLOURS.items()
    ]
    others = [_when(entity.entity_id, state, negate=True) for state in STATE_COLOURS]
    return [*tiles, _tile(entity, HALF) | {"visibility": others}]


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
    cards += [tile for entity in phones for tile in _phone_tiles(entity)]
    if analog:
        cards.append(_heading("Analog ports", "mdi:phone-classic"))
        cards += [tile for entity in analog for tile in _phone_tiles(entity)]
    return {"type": "grid", "column_span": 2, "cards": cards}


def calls_section(
    missed_calls: list[OfficeEntity], last_calls: list[OfficeEntity]
) -> dict[str, Any]:
    """Return the section of the calls: missed ones to call back, dialling, the last ones."""
    cards = [_heading("Calls", "mdi:phone-log")]
    cards += [
        {
            "type": "todo-list",
            "entity": entity.entity_id,
            "title": "Missed calls",
            "hide_create": True,
            "grid_options": dict(FULL),
        }
        for entity in missed_calls
    ]
    cards.append(
        {
            "type": "button",
            "name": DIAL_BUTTON["name"],
            "icon": "mdi:phone-outgoing",
            "show_state": False,
            "tap_action": {
                "action": "perform-action",
                "perform_action": "yeastar.dial",
                "data": {
                    "caller": DIAL_BUTTON["caller"],
                    "callee": DIAL_BUTTON["callee"],
                },
            },
            "grid_options": dict(FULL) | {"rows": 2},
        }
    )
    if last_calls:
        entity_ids = [entity.entity_id for entity in last_calls]
        cards.append(
            {
                "type": "markdown",
                "title": "Last calls",
                "content": LAST_CALLS_MARKDOWN.replace(
                    "ENTITIES", repr(entity_ids)
                ).replace("SHOWN", str(LAST_CALLS_SHOWN)),
                "grid_options": dict(FULL),
            }
        )
    return {"type": "grid", "cards": cards}


def pbx_section(
    trunks: list[OfficeEntity], pbx_entities: list[OfficeEntity]
) -> dict[str, Any]:
    """Return the section of the trunks and the PBX itself (model, serial, firmware)."""
    cards = [_heading("Trunks", "mdi:phone-settings")]
    cards += [_tile(trunk, FULL, _trunk_name(trunk)) for trunk in trunks]
    # Any entity of the PBX's own device names the device for the templates.
    for entity in pbx_entities[:1]:
        cards += [
            _heading("PBX", "mdi:phone-log"),
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
    missed_calls = _of_role(entities, "missed_calls")
    return {
        "title": "Demo office",
        "views": [
            {
                "title": "Office",
                "path": VIEW_PATH,
                "icon": "mdi:office-building",
                "type": "sections",
                "max_columns": 4,
                "sections": [
                    extensions_section(_of_role(entities, "extension")),
                    calls_section(missed_calls, _of_role(entities, "last_call")),
                    pbx_section(_of_role(entities, "trunk"), missed_calls),
                ],
            }
        ],
    }
