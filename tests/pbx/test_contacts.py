"""Company contacts: the model, the request, and the client against the simulator."""

import pytest

from custom_components.yeastar.pbx.client import YeastarClient
from custom_components.yeastar.pbx.errors import YeastarApiError
from custom_components.yeastar.pbx.models import (
    CompanyContact,
    ContactNumber,
    ContactNumberKind,
)
from simulator import PbxSimulator, SimContact

from .conftest import ClientFactory, FakePbx

FULL = {
    "id": "4",
    "firstname": "Klaus",
    "lastname": "Becker",
    "email": "k.becker@example.com",
    "company": "Becker GmbH",
    "businessnum": "+49 30 1234567",
    "businessnum2": "+49 30 1234568",
    "businessfax": "+49 30 1234569",
    "mobile": "+49 151 23456789",
    "mobile2": "+31 6 34567890",
    "homenum": "030 555",
    "homenum2": "030 556",
    "homefax": "030 557",
    "othernum": "0800 1",
    "zipcode": "10115",
    "street": "Hauptstr. 1",
    "city": "Berlin",
    "state": "Berlin",
    "country": "Germany",
}


def test_every_field() -> None:
    contact = CompanyContact.from_dict(FULL)
    assert contact == CompanyContact(
        id="4",
        first_name="Klaus",
        last_name="Becker",
        email="k.becker@example.com",
        company="Becker GmbH",
        business_number="+49 30 1234567",
        business_number_2="+49 30 1234568",
        business_fax="+49 30 1234569",
        mobile="+49 151 23456789",
        mobile_2="+31 6 34567890",
        home_number="030 555",
        home_number_2="030 556",
        home_fax="030 557",
        other_number="0800 1",
        zip_code="10115",
        street="Hauptstr. 1",
        city="Berlin",
        state="Berlin",
        country="Germany",
    )
    assert [(n.kind, n.number) for n in contact.numbers] == [
        (ContactNumberKind.BUSINESS, "+49 30 1234567"),
        (ContactNumberKind.BUSINESS_2, "+49 30 1234568"),
        (ContactNumberKind.BUSINESS_FAX, "+49 30 1234569"),
        (ContactNumberKind.MOBILE, "+49 151 23456789"),
        (ContactNumberKind.MOBILE_2, "+31 6 34567890"),
        (ContactNumberKind.HOME, "030 555"),
        (ContactNumberKind.HOME_2, "030 556"),
        (ContactNumberKind.HOME_FAX, "030 557"),
        (ContactNumberKind.OTHER, "0800 1"),
    ]
    assert contact.display_name == "Klaus Becker"
    assert contact.to_dict()["first_name"] == "Klaus"
    with pytest.raises(AttributeError):
        contact.mobile = "x"  # type: ignore[misc]


def test_tolerant_parsing() -> None:
    contact = CompanyContact.from_dict(
        {
            "ID": 7,
            "FirstName": " Piet ",
            "MOBILE": 612345678,
            "businessnumber": None,
            "homenumber": "010 1",
            "zip": "3511",
            "unknown": {"nested": True},
        }
    )
    assert (contact.id, contact.first_name, contact.mobile) == (
        "7",
        "Piet",
        "612345678",
    )
    assert contact.business_number == ""
    assert contact.home_number == "010 1"
    assert contact.zip_code == "3511"
    assert contact.numbers == (
        ContactNumber(kind=ContactNumberKind.MOBILE, number="612345678"),
        ContactNumber(kind=ContactNumberKind.HOME, number="010 1"),
    )
    assert CompanyContact.from_dict({}) == CompanyContact(id="")


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        (
            {"firstname": "Anna", "lastname": "de Vries", "company": "X"},
            "Anna de Vries",
        ),
        ({"firstname": "Anna", "company": "X"}, "Anna"),
        ({"lastname": "Bakker"}, "Bakker"),
        ({"company": "Office Supplies B.V."}, "Office Supplies B.V."),
        ({"mobile": "0612345678"}, ""),
    ],
)
def test_display_name(fields: dict[str, str], name: str) -> None:
    assert CompanyContact.from_dict(fields).display_name == name


async def test_request_and_answer_keys(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    fake_pbx.answer(
        "companycontacts/query",
        {"status": "Success", "companycontacts": [FULL, "junk"]},
        {"status": "Success", "CompanyContacts": [{"id": "2"}]},
        {"status": "Success", "contacts": [{"id": "3"}]},
        {"status": "Success"},
        {"status": "Failed", "errno": "10004"},
    )
    assert [c.id for c in await client.company_contacts()] == ["4"]
    assert [c.id for c in await client.company_contacts("2")] == ["2"]
    assert [c.id for c in await client.company_contacts()] == ["3"]
    assert await client.company_contacts() == []
    with pytest.raises(YeastarApiError) as excinfo:
        await client.company_contacts("")
    assert excinfo.value.errno == "10004"
    assert [r.body for r in fake_pbx.seen("companycontacts/query")] == [
        {"id": "all"},
        {"id": "2"},
        {"id": "all"},
        {"id": "all"},
        {"id": ""},
    ]


async def test_against_the_simulator(
    sim: PbxSimulator, sim_client: ClientFactory
) -> None:
    client = sim_client(sim)
    contacts = await client.company_contacts()
    assert len(contacts) == 6
    plumber = next(c for c in contacts if c.mobile == "0612345678")
    assert plumber.display_name == "Piet Jansen"
    supplier = next(c for c in contacts if c.company == "Office Supplies B.V.")
    assert supplier.display_name == "Office Supplies B.V."
    assert ContactNumberKind.BUSINESS_FAX in {n.kind for n in supplier.numbers}
    assert supplier.business_number.startswith("+31")
    added = sim.add_contact(SimContact(lastname="Visser", homenum="0101234567"))
    (visser,) = await client.company_contacts(added.id)
    assert visser.numbers == (
        ContactNumber(kind=ContactNumberKind.HOME, number="0101234567"),
    )
    sim.update_contact(added.id, firstname="Joop")
    assert (await client.company_contacts(added.id))[0].display_name == "Joop Visser"
    sim.remove_contact(added.id)
    assert await client.company_contacts(added.id) == []
