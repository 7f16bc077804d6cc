"""The dashboard builder: every extension, trunk and the PBX, grouped and ordered."""

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
    entity("sensor.yeastar_s100_last_report", "pbx", "Yeastar S100", "S100", "sn"),
]


def cards_of(section: dict) -> list[dict]:
    return section["cards"]


def test_one_sections_view_with_extensions_then_trunks_and_pbx() -> None:
    config = build_dashboard(ENTITIES)
    (view,) = config["views"]
    assert view["type"] == "sections"
    assert view["path"] == "office"
    extensions, pbx = view["sections"]
    assert extensions["column_span"] == 2

    cards = cards_of(extensions)
    assert [card.get("heading") or card["name"] for card in cards] == [
        "Phones",
        "Reception (1000)",
        "Sales (1001)",
        "Analog ports",
        "Fax (1008)",
    ]
    tiles = [card for card in cards if card["type"] == "tile"]
    assert [tile["entity"] for tile in tiles] == [
        "sensor.reception_1000_status",
        "sensor.sales_1001_status",
        "sensor.fax_1008_status",
    ]
    assert all(tile["state_content"] == "state" for tile in tiles)


def test_trunks_named_with_their_kind_and_pbx_details_from_templates() -> None:
    (view,) = build_dashboard(ENTITIES)["views"]
    cards = cards_of(view["sections"][1])
    assert [card["type"] for card in cards] == [
        "heading",
        "tile",
        "tile",
        "heading",
        "tile",
        "markdown",
    ]
    assert [card["name"] for card in cards[1:3]] == ["GSM1", "SIPTrunk1 · SIP trunk"]
    assert cards[4]["entity"] == "sensor.yeastar_s100_last_report"
    assert "device_id('sensor.yeastar_s100_last_report')" in cards[5]["content"]
    assert "sw_version" in cards[5]["content"]


def test_no_analog_heading_without_fxs_ports_and_cards_do_not_share_options() -> None:
    config = build_dashboard(
        entity for entity in ENTITIES if not entity.model.startswith("FXS")
    )
    cards = config["views"][0]["sections"][0]["cards"]
    assert [card.get("heading") for card in cards if card["type"] == "heading"] == [
        "Phones"
    ]
    cards[1]["grid_options"]["columns"] = 1
    assert cards[2]["grid_options"]["columns"] == 8


def test_unknown_roles_are_left_out() -> None:
    config = build_dashboard([entity("event.sales_1001_call", "call", "Sales (1001)")])
    extensions, pbx = config["views"][0]["sections"]
    assert [card["type"] for card in extensions["cards"]] == ["heading"]
    assert [card["type"] for card in pbx["cards"]] == ["heading"]
