"""Request and response format of the simulated API (section 3)."""

import asyncio
from collections.abc import Callable
import hashlib
import json
import ssl

import aiohttp
from cryptography import x509
from cryptography.x509.oid import NameOID

from simulator import PbxSimulator

from .conftest import Api


async def test_answers_carry_the_boa_headers_and_http_200(api: Api) -> None:
    response = await api.raw("POST", "login", b'{"username":"api","password":"nope"}')
    assert response.status == 200
    assert response.headers["Server"] == "Boa/0.94.14rc21"
    assert response.headers["Connection"] == "close"
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert (
        response.headers["Access-Control-Allow-Methods"]
        == "GET, POST, OPTIONS, PUT, DELETE"
    )


async def test_only_post_is_accepted(api: Api) -> None:
    await api.login()
    async with api.session.get(
        api.url("extension/list"), params={"token": api.token}, ssl=False
    ) as response:
        assert response.status == 200
        assert await response.json(content_type=None) == {
            "status": "Failed",
            "errno": "20001",
        }
    async with api.session.put(api.url("nope/never"), ssl=False) as response:
        assert (await response.json(content_type=None))["errno"] == "20001"


async def test_only_json_bodies(api: Api) -> None:
    await api.login()
    for body, errno in (
        (b"number=1000", "20000"),
        (b"[1, 2]", "20000"),
        (b"<xml><number>1000</number></xml>", "10002"),
    ):
        async with api.session.post(
            api.url("extension/query"),
            params={"token": api.token},
            data=body,
            ssl=False,
        ) as response:
            assert json.loads(await response.read()) == {
                "status": "Failed",
                "errno": errno,
            }


async def test_empty_body_is_fine_for_endpoints_without_parameters(api: Api) -> None:
    await api.login()
    answer = await api.post("extension/list")
    assert answer["status"] == "Success"
    assert (await api.post("extension/query"))["errno"] == "10004"


async def test_unknown_endpoint_and_other_api_versions(api: Api) -> None:
    await api.login()
    assert await api.post("queue/query_status", {"number": "6700"}) == {
        "status": "Failed",
        "errno": "10003",
    }
    async with api.session.post(
        f"{api.sim.base_url}/api/v1.1.0/login", json={}, ssl=False
    ) as response:
        assert (await response.json(content_type=None))["errno"] == "10003"


async def test_numbers_are_accepted_and_strings_answered(api: Api) -> None:
    await api.login()
    answer = await api.post("extension/query", {"number": 1000})
    info = answer["extinfos"][0]
    assert info["number"] == "1000"
    assert all(isinstance(value, str) for value in info.values())
    assert (
        await api.post(
            "heartbeat", {"ipaddr": "127.0.0.1", "port": 8260, "version": "2.0.0"}
        )
    )["status"] == "Success"


async def test_api_switched_off_answers_404_html(api: Api, sim: PbxSimulator) -> None:
    await api.login()
    sim.api_enabled = False
    response = await api.raw("POST", "extension/list", b"{}", token=api.token)
    assert response.status == 404
    assert response.content_type == "text/html"
    sim.api_enabled = True
    assert (await api.post("extension/list"))["status"] == "Success"


async def test_plain_http_mode(
    sim_factory: Callable[..., PbxSimulator], http: aiohttp.ClientSession
) -> None:
    async with sim_factory(ssl=False) as plain:
        assert plain.base_url.startswith("http://")
        assert plain.certificate_fingerprint is None
        answer = await Api(plain, http).login()
        assert answer["status"] == "Success"
        assert answer["transport"] == "HTTP"
        assert len(answer["token"]) == 32
        int(answer["token"], 16)


async def test_https_certificate_fingerprint(
    sim: PbxSimulator, http: aiohttp.ClientSession
) -> None:
    fingerprint = sim.certificate_fingerprint
    assert fingerprint is not None
    assert len(fingerprint) == 64
    assert fingerprint == fingerprint.lower()
    pinned = aiohttp.Fingerprint(bytes.fromhex(fingerprint))
    async with http.post(
        f"{sim.base_url}/api/v2.0.0/login", json={}, ssl=pinned
    ) as response:
        assert (await response.json(content_type=None))["errno"] == "10004"


async def test_certificate_is_self_signed_for_the_model(sim: PbxSimulator) -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    reader, writer = await asyncio.open_connection(sim.host, sim.port, ssl=context)
    der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    writer.close()
    await writer.wait_closed()
    certificate = x509.load_der_x509_certificate(der)
    assert (
        certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        == "Yeastar S100"
    )
    assert certificate.issuer == certificate.subject
    assert hashlib.sha256(der).hexdigest() == sim.certificate_fingerprint
