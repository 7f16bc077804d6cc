"""The office model and the office controls (registrations, configuration changes)."""

import json
from pathlib import Path

import pytest

from simulator import ApiError, Office, PbxSimulator, SimExtension, SimTrunk
from tests.common import Receiver

from .conftest import Api


def test_sample_office_is_realistic() -> None:
    office = Office.sample()
    named = [ext for ext in office.extensions if ext.name]
    assert len(named) >= 12
    assert {ext.type for ext in office.extensions} == {"SIP", "FXS"}
    assert len({trunk.type for trunk in office.trunks}) >= 2
    assert len({ext.number for ext in office.extensions}) == len(office.extensions)
    assert office.capacity == 100
    assert office.utc_label == "UTC+1"


def test_office_details() -> None:
    office = Office(
        model="Yeastar S50",
        utc_offset=-5.5,
        trunks=[SimTrunk(name="A", id="2"), SimTrunk(name="B")],
    )
    assert office.capacity == 50
    assert office.utc_label == "UTC-5:30"
    assert [trunk.id for trunk in office.trunks] == ["2", "1"]
    assert Office(model="Virtual PBX").capacity == 100
    extension = SimExtension(number="2000", name="Front Desk", settings={"dnd": "on"})
    assert extension.dnd
    assert extension.settings["email"] == "front.desk@example.com"
    office.add_extension(extension)
    with pytest.raises(ValueError, match="already exists"):
        office.add_extension(SimExtension(number="2000"))
    with pytest.raises(KeyError):
        office.remove_extension("9999")
    with pytest.raises(ValueError, match="already exists"):
        office.add_trunk(SimTrunk(name="a"))
    with pytest.raises(KeyError):
        office.remove_trunk("nope")
    assert office.is_internal_number("2001")
    assert not office.is_internal_number("112")
    assert office.outbound_trunk("B") is office.trunk("b")
    assert SimExtension(number="x").registered_ip == "192.168.1.100"


def test_office_from_json(tmp_path: Path) -> None:
    data = {
        "serial_number": "123",
        "model": "Yeastar S300",
        "extensions": [
            {"number": "300", "name": "A"},
            {"number": "301", "name": "Fax", "type": "fxs", "port": "Port1"},
        ],
        "trunks": [{"name": "T1", "type": "bri", "status": "Up"}],
        "ignored": True,
    }
    path = tmp_path / "office.json"
    path.write_text(json.dumps(data))
    office = Office.from_json_file(path)
    assert office.serial_number == "123"
    assert office.capacity == 300
    assert office.extensions[1].type == "FXS"
    assert office.trunks[0].type == "BRI"
    assert office.trunks[0].available


async def test_registration_changes_are_reported(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    sim.unregister_extension("1001")
    assert (await connected.post("extension/query", {"number": "1001"}))["extinfos"][0][
        "status"
    ] == "Unavailable"
    sim.register_extension("1001", registered_ip="192.168.1.77")
    await sim.wait_for_reports()
    assert receiver.events() == [
        {
            "event": "ExtensionStatus",
            "extension": "1001",
            "status": "Unregistered",
            "sn": "369451090405",
        },
        {
            "event": "ExtensionStatus",
            "extension": "1001",
            "status": "Registered",
            "registeredIP": "192.168.1.77",
            "sn": "369451090405",
        },
    ]
    with pytest.raises(ValueError, match="FXS"):
        sim.register_extension("1008")
    with pytest.raises(ApiError):
        sim.unregister_extension("4321")


async def test_extension_configuration_changes(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    sim.add_extension(SimExtension(number="1020", name="New Hire"))
    listing = [
        entry["number"] for entry in (await connected.post("extension/list"))["extlist"]
    ]
    assert "1020" in listing
    sim.update_extension("1020", name="Trainee", monitored=False, dnd="on")
    info = (await connected.post("extension/query", {"number": "1020"}))["extinfos"][0]
    assert (info["username"], info["dnd"]) == ("Trainee", "on")
    with pytest.raises(ValueError, match="on or off"):
        sim.update_extension("1020", dnd="sometimes")
    callid = await sim.internal_call("1000", "1001")
    sim.remove_extension("1001")
    assert callid not in sim.calls
    assert (await connected.post("extension/query", {"number": "1001"}))[
        "errno"
    ] == "10006"
    await sim.wait_for_reports()
    changes = [(e["extid"], e["operation"]) for e in receiver.events("ConfigChange")]
    assert changes == [("1020", "add"), ("1020", "update"), ("1001", "del")]


async def test_trunk_configuration_changes(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    sim.add_trunk(SimTrunk(name="E1Trunk", type="E1", status="Up", port="Span1"))
    sim.update_trunk("E1Trunk", status="Alarm", monitored=False)
    sim.set_trunk_status("SIPTrunk1", "Registering")
    trunks = {
        t["trunkname"]: t for t in (await connected.post("trunk/list"))["trunklist"]
    }
    assert trunks["E1Trunk"] == {
        "trunkname": "E1Trunk",
        "id": "5",
        "type": "E1",
        "status": "Alarm",
        "port": "Span1",
    }
    assert trunks["SIPTrunk1"]["status"] == "Registering"
    sim.remove_trunk("e1trunk")
    with pytest.raises(ValueError, match="unknown trunk attributes"):
        sim.update_trunk("SIPTrunk1", colour="red")
    with pytest.raises(ValueError, match="no trunk"):
        sim.set_trunk_status("Nope", "Up")
    await sim.wait_for_reports()
    assert [(e["type"], e["trunkname"], e["operation"]) for e in receiver.events()] == [
        ("trunk", "E1Trunk", "add"),
        ("trunk", "E1Trunk", "update"),
        ("trunk", "E1Trunk", "del"),
    ]


async def test_other_trunk_channel_names(sim: PbxSimulator) -> None:
    sim.add_trunk(SimTrunk(name="IAXTrunk", type="IAX", status="Registered"))
    callid = await sim.outbound_call("1000", "0612345678", trunk="IAXTrunk")
    assert sim.calls[callid].members[1].channel.startswith("IAX2/IAXTrunk-")
    fxo = await sim.inbound_call("FXO1", "0612345678", "1001")
    assert sim.calls[fxo].members[0].channel == "DAHDI/3-1"
