"""Company contacts (section 5.3): companycontacts/query, the controls and the office file."""

import json
from pathlib import Path

import aiohttp
import pytest

from simulator import Office, PbxSimulator, SimContact
from simulator.office import CONTACT_FIELDS

from .conftest import Api
from .test_control import Control


@pytest.fixture
def control(sim: PbxSimulator, http: aiohttp.ClientSession) -> Control:
    return Control(sim, http)


async def test_query_all(connected: Api) -> None:
    answer = await connected.post("companycontacts/query", {"id": "all"})
    assert answer["status"] == "Success"
    contacts = answer["companycontacts"]
    assert [contact["id"] for contact in contacts] == ["1", "2", "3", "4", "5", "6"]
    for contact in contacts:
        assert list(contact) == ["id", *CONTACT_FIELDS]
        assert all(isinstance(value, str) for value in contact.values())
    plumber = contacts[0]
    assert (plumber["firstname"], plumber["lastname"], plumber["mobile"]) == (
        "Piet",
        "Jansen",
        "0612345678",
    )
    supplier = contacts[1]
    assert (supplier["firstname"], supplier["lastname"]) == ("", "")
    assert supplier["company"] == "Office Supplies B.V."
    assert supplier["businessnum"].startswith("+31")
    customer = contacts[2]
    assert customer["businessnum"].startswith("0")
    assert customer["mobile"].startswith("+31")


async def test_query_one_some_and_unknown(connected: Api) -> None:
    (one,) = (await connected.post("companycontacts/query", {"id": "3"}))[
        "companycontacts"
    ]
    assert one["lastname"] == "de Vries"
    some = await connected.post("companycontacts/query", {"id": "1, 5,42"})
    assert [c["id"] for c in some["companycontacts"]] == ["1", "5"]
    assert await connected.post("companycontacts/query", {"id": "42"}) == {
        "status": "Success",
        "companycontacts": [],
    }
    assert (await connected.post("companycontacts/query", {"id": 2}))[
        "companycontacts"
    ][0]["company"] == "Office Supplies B.V."
    assert (await connected.post("companycontacts/query", {"id": "ALL"}))[
        "companycontacts"
    ]


async def test_query_errors(connected: Api) -> None:
    assert await connected.post("companycontacts/query", {}) == {
        "status": "Failed",
        "errno": "10004",
    }
    assert (await connected.post("companycontacts/query", {"id": ""}))[
        "errno"
    ] == "10004"
    assert (
        await connected.post("companycontacts/query", {"id": "all"}, token="f" * 32)
    )["errno"] == "20004"


async def test_contact_controls(
    control: Control, connected: Api, sim: PbxSimulator
) -> None:
    added = await control(
        "add_contact", {"firstname": "Eva", "company": "Bakery", "mobile": "0611111111"}
    )
    assert added == {"ok": True, "id": "7"}
    assert (await control("add_contact", {"id": "x9", "lastname": "Chosen"}))[
        "id"
    ] == "x9"
    await control("update_contact", {"id": "7", "mobile": "+31611111111", "city": 1})
    (eva,) = (await connected.post("companycontacts/query", {"id": "7"}))[
        "companycontacts"
    ]
    assert (eva["firstname"], eva["mobile"], eva["city"]) == (
        "Eva",
        "+31611111111",
        "1",
    )
    await control("remove_contact", {"id": "7"})
    assert sim.office.contact("7") is None
    assert (await control("add_contact", {}))["id"] == "7"  # the next free number
    state = await control.state()
    assert len(state["office"]["contacts"]) == 8


async def test_contact_control_errors(control: Control) -> None:
    unknown = await control("add_contact", {"nickname": "Bob"}, expect=400)
    assert unknown["ok"] is False
    duplicate = await control("add_contact", {"id": "1"}, expect=400)
    assert "already exists" in duplicate["error"]
    missing = await control("update_contact", {"id": "99", "city": "X"}, expect=400)
    assert "no contact 99" in missing["error"]
    bad_field = await control("update_contact", {"id": "1", "nick": "X"}, expect=400)
    assert "unknown contact fields" in bad_field["error"]
    no_id = await control("update_contact", {"city": "X"}, expect=400)
    assert "missing id" in no_id["error"]
    await control("remove_contact", {"id": "99"}, expect=400)
    await control("update_contact", {"id": "1", "id2": "2"}, expect=400)


def test_office_contacts() -> None:
    office = Office(
        contacts=[SimContact(firstname="A"), SimContact(id="7"), SimContact()]
    )
    assert [contact.id for contact in office.contacts] == ["1", "7", "8"]
    with pytest.raises(ValueError, match="already exists"):
        Office(contacts=[SimContact(id="1"), SimContact(id="1")])
    with pytest.raises(KeyError):
        office.remove_contact("99")
    assert office.remove_contact("7").id == "7"
    assert SimContact(id=5, mobile=" 06 1 ").wire()["mobile"] == "06 1"


def test_sample_office_contacts() -> None:
    contacts = Office.sample().contacts
    assert len(contacts) == 6
    assert any(contact.mobile == "0612345678" for contact in contacts)
    assert all(
        contact.firstname or contact.lastname or contact.company for contact in contacts
    )


def test_office_file_with_contacts(tmp_path: Path) -> None:
    data = {
        "extensions": [{"number": "100"}],
        "contacts": [
            {"firstname": "Jan", "mobile": "0612345678"},
            {"id": 12, "company": "Acme", "businessnum": "+31201234567"},
        ],
    }
    path = tmp_path / "office.json"
    path.write_text(json.dumps(data))
    office = Office.from_json_file(path)
    assert [(c.id, c.firstname, c.company) for c in office.contacts] == [
        ("1", "Jan", ""),
        ("12", "", "Acme"),
    ]
    path.write_text(json.dumps({"contacts": [{"nickname": "x"}]}))
    with pytest.raises(TypeError):
        Office.from_json_file(path)
