"""The dashboard builder: extensions in state colours, the calls, trunks and the PBX."""

import pytest

from demo.dashboard import OfficeEntity, build_dashboard


def entity(
    entity_id: str, role: str, name: str, model: str = "", order: str = ""
) -> OfficeEntity:
    return OfficeEntity(
        entity_id=entity_id, role=role, name=name, model=model, order=order or name
    )


ENTITIES = [
    entity(
        "sensor.sales_1001_status",
        "extension",
        "Sales (1001)",
        "SIP extension",
        "sn_1001",
    ),
    entity(
        "sensor.reception_1000_status",
        "extension",
        "Reception (1000)",
        "SIP extension",
        "sn_1000",
    ),
    entity(
        "sensor.fax_1008_status", "extension", "Fax (1008)", "FXS extension", "sn_1008"
    ),
    entity(
        "sensor.siptrunk1_status",
        "trunk",
        "SIPTrunk1",
        "SIP trunk",
        "sn_trunk_SIPTrunk1",
    ),
    entity("sensor.gsm1_status", "trunk", "GSM1", "", "sn_trunk_GSM1"),
    entity("todo.yeastar_s100_missed_calls", "missed_calls", "Yeastar S100", "S100"),
    entity("sensor.sales_1001_last_call", "last_call", "Sales (1001)", "", "sn_1001"),
    entity(
        "sensor.reception_1000_last_call",
        "last_call",
        "Reception (1000)",
        "",
        "sn_1000",
    ),
]


def cards_of(section: dict) -> list[dict]:
    return section["cards"]


def shown_tiles(cards: list[dict], state: str) -> list[dict]:
    """Return the tiles a browser shows when every extension is in ``state``."""

    def shown(card: dict) -> bool:
        return all(
            (condition["state"] == state)
            if "state" in condition
            else (condition["state_not"] != state)
            for condition in card.get("visibility", [])
        )

    return [card for card in cards if card["type"] == "tile" and shown(card)]


def test_one_sections_view_extensions_calls_then_trunks_and_pbx() -> None:
    config = build_dashboard(ENTITIES)
    (view,) = config["views"]
    assert view["type"] == "sections"
    assert view["path"] == "office"
    extensions, calls, pbx = view["sections"]
    assert extensions["column_span"] == 2
    cards = cards_of(extensions)
    assert [card["heading"] for card in cards if card["type"] == "heading"] == [
        "Phones",
        "Analog ports",
    ]
    tiles = shown_tiles(cards, "idle")
    assert [tile["entity"] for tile in tiles] == [
        "sensor.reception_1000_status",
        "sensor.sales_1001_status",
        "sensor.fax_1008_status",
    ]
    assert [tile["name"] for tile in tiles] == [
        "Reception (1000)",
        "Sales (1001)",
        "Fax (1008)",
    ]
    assert all(tile["state_content"] == "state" for tile in tiles)
    # Half a two-wide section: two a row, the whole width on a phone.
    assert all(tile["grid_options"] == {"columns": 12} for tile in tiles)


@pytest.mark.parametrize(
    ("state", "colour"),
    [
        ("idle", "green"),
        ("ringing", "orange"),
        ("busy", "blue"),
        ("on_hold", "purple"),
        ("offline", "disabled"),
        ("malfunction", "red"),
        ("unknown", None),
        ("unavailable", None),
    ],
)
def test_each_phone_state_has_a_colour_of_its_own(state: str, colour: str) -> None:
    """Exactly one tile of each extension is shown, in its state's colour."""
    (view,) = build_dashboard(ENTITIES)["views"]
    tiles = shown_tiles(cards_of(view["sections"][0]), state)
    assert len(tiles) == 3
    assert {tile.get("color") for tile in tiles} == {colour}


def test_calls_missed_list_dial_button_and_last_calls() -> None:
    (view,) = build_dashboard(ENTITIES)["views"]
    heading, missed, dial, last_calls = cards_of(view["sections"][1])
    assert heading["heading"] == "Calls"
    assert missed["type"] == "todo-list"
    assert missed["entity"] == "todo.yeastar_s100_missed_calls"
    assert missed["hide_create"] is True
    assert dial["tap_action"] == {
        "action": "perform-action",
        "perform_action": "yeastar.dial",
        "data": {"caller": "1000", "callee": "0612345678"},
    }
    assert last_calls["type"] == "markdown"
    assert (
        "expand(['sensor.reception_1000_last_call', 'sensor.sales_1001_last_call'])"
        in last_calls["content"]
    )
    assert "calls[:6]" in last_calls["content"]


def test_trunks_named_with_their_kind_and_pbx_details_from_templates() -> None:
    (view,) = build_dashboard(ENTITIES)["views"]
    cards = cards_of(view["sections"][2])
    assert [card["type"] for card in cards] == [
        "heading",
        "tile",
        "tile",
        "heading",
        "markdown",
    ]
    assert [card["name"] for card in cards[1:3]] == ["GSM1", "SIPTrunk1 · SIP trunk"]
    assert "device_id('todo.yeastar_s100_missed_calls')" in cards[4]["content"]
    assert "sw_version" in cards[4]["content"]


def test_no_analog_heading_without_fxs_ports_and_cards_do_not_share_options() -> None:
    config = build_dashboard(
        entity for entity in ENTITIES if not entity.model.startswith("FXS")
    )
    cards = config["views"][0]["sections"][0]["cards"]
    assert [card.get("heading") for card in cards if card["type"] == "heading"] == [
        "Phones"
    ]
    cards[1]["grid_options"]["columns"] = 1
    assert cards[2]["grid_options"]["columns"] == 12


def test_unknown_roles_are_left_out() -> None:
    config = build_dashboard([entity("event.sales_1001_call", "call", "Sales (1001)")])
    extensions, calls, pbx = config["views"][0]["sections"]
    assert [card["type"] for card in extensions["cards"]] == ["heading"]
    assert [card["type"] for card in calls["cards"]] == ["heading", "button"]
    assert [card["type"] for card in pbx["cards"]] == ["heading"]
