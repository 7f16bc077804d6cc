"""Call records: kept from every finished call, downloaded as CSV (section 5.8)."""

import csv
from datetime import timedelta
import io
import json
from typing import Any

import aiohttp

from simulator import PbxSimulator
from simulator.cdr import CDR_COLUMNS, CdrStore, involves, to_csv
from tests.common import FakeClock, Receiver

from .conftest import Api
from .test_control import Control

DAY = {"starttime": "2024-03-01 00:00:00", "endtime": "2024-03-01 23:59:59"}


def history(sim: PbxSimulator) -> None:
    """Keep three calls of 1 March 2024 and one of the day after."""
    sim.add_cdr(
        {
            "callid": "1709280000.1",
            "timestart": "2024-03-01 09:00:00",
            "callfrom": "0612345678",
            "callto": "1000",
            "status": "NO ANSWER",
            "type": "Inbound",
        }
    )
    sim.add_cdr(
        {
            "callid": "1709290000.2",
            "timestart": "2024-03-01 12:30:00",
            "callfrom": "1001",
            "callto": "0687654321",
            "callduraction": "65",
            "talkduraction": "60",
            "status": "ANSWERED",
            "type": "Outbound",
            "dsttrcunkname": "SIPTrunk1",
        }
    )
    # Kept out of order: the download sorts by time.
    sim.add_cdr(
        {
            "callid": "1709285000.3",
            "timestart": "2024-03-01 10:00:00",
            "callfrom": "0201234567",
            "callto": "6300(1002)",
            "status": "ANSWERED",
            "type": "Inbound",
            "srctrunkname": "SIPTrunk2",
            "didnumber": "5555678",
        }
    )
    sim.add_cdr(
        {
            "callid": "1709366400.4",
            "timestart": "2024-03-02 08:00:00",
            "callfrom": "1000",
            "callto": "1001",
            "status": "ANSWERED",
            "type": "Internal",
        }
    )


async def download(
    api: Api, params: dict[str, str]
) -> tuple[aiohttp.ClientResponse, bytes]:
    """GET cdr/download; return the response and its body."""
    async with api.session.get(
        api.url("cdr/download"), params=params, ssl=False
    ) as response:
        return response, await response.read()


async def fetch(api: Api, number: str = "all", **window: str) -> list[dict[str, str]]:
    """Do both steps; return the CSV rows as dicts."""
    fields = {"number": number, **DAY, **window}
    grant = await api.post("cdr/get_random", fields)
    assert set(grant) == {"status", "random"}
    response, body = await download(
        api, fields | {"random": grant["random"], "token": api.token}
    )
    assert response.status == 200
    assert response.content_type == "text/csv"
    return list(csv.DictReader(io.StringIO(body.decode())))


async def failure(api: Api, params: dict[str, str]) -> Any:
    """Return the errno of a download that fails."""
    _, body = await download(api, params)
    answer = json.loads(body)
    assert answer["status"] == "Failed"
    return answer["errno"]


async def test_finished_calls_are_kept_as_their_newcdr(
    connected: Api, sim: PbxSimulator, receiver: Receiver, clock: FakeClock
) -> None:
    before = sim.office.local_now()
    callid = await sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    await sim.answer(callid)
    clock.advance(7)
    await sim.hangup(callid)
    missed = await sim.internal_call("1001", "1002")
    await sim.hangup(missed)
    await receiver.wait_for("NewCdr", 2)
    reported = [
        {k: v for k, v in cdr.items() if k not in {"event", "sn"}}
        for cdr in receiver.events("NewCdr")
    ]
    assert sim.cdrs == reported
    window = {
        "starttime": f"{before - timedelta(minutes=1):%Y-%m-%d %H:%M:%S}",
        "endtime": f"{before + timedelta(minutes=5):%Y-%m-%d %H:%M:%S}",
    }
    rows = await fetch(connected, **window)
    assert rows == reported
    assert rows[0]["talkduraction"] == "7"
    assert rows[0]["recording"].endswith("-Inbound.wav")
    assert [row["callid"] for row in await fetch(connected, "1002", **window)] == [
        missed
    ]


async def test_csv_header_and_quoting(connected: Api, sim: PbxSimulator) -> None:
    sim.add_cdr(
        {
            "callid": "1.1",
            "timestart": "2024-03-01 08:00:00",
            "callfrom": 'Piet "the plumber", Utrecht',
        }
    )
    grant = await connected.post("cdr/get_random", {"number": "all", **DAY})
    _, body = await download(
        connected,
        {"number": "all", **DAY, "random": grant["random"], "token": connected.token},
    )
    header, row = body.decode().split("\r\n")[:2]
    assert header == ",".join(CDR_COLUMNS)
    assert header.startswith("callid,timestart,callfrom,callto,callduraction,")
    assert "dsttrcunkname" in header
    assert row == '1.1,2024-03-01 08:00:00,"Piet ""the plumber"", Utrecht",,,,,,,,,,,'
    assert body.endswith(b"\r\n")
    assert not body.startswith(b"\xef\xbb\xbf")


async def test_window_and_number(connected: Api, sim: PbxSimulator) -> None:
    history(sim)
    rows = await fetch(connected)
    assert [row["callid"] for row in rows] == [
        "1709280000.1",
        "1709285000.3",
        "1709290000.2",
    ]
    assert rows[2]["dsttrcunkname"] == "SIPTrunk1"
    assert rows[2]["callduraction"] == "65"
    assert [r["callid"] for r in await fetch(connected, "1000")] == ["1709280000.1"]
    assert [r["callid"] for r in await fetch(connected, "1002")] == ["1709285000.3"]
    assert [r["callid"] for r in await fetch(connected, "6300")] == ["1709285000.3"]
    assert [r["callid"] for r in await fetch(connected, "0687654321")] == [
        "1709290000.2"
    ]
    assert [r["callid"] for r in await fetch(connected, "1000,1001")] == [
        "1709280000.1",
        "1709290000.2",
    ]
    both_ends = await fetch(
        connected, starttime="2024-03-01 10:00:00", endtime="2024-03-02 08:00:00"
    )
    assert [r["callid"] for r in both_ends] == [
        "1709285000.3",
        "1709290000.2",
        "1709366400.4",
    ]
    assert len(await fetch(connected, "ALL")) == 3


async def test_get_random_errors(connected: Api, sim: PbxSimulator) -> None:
    history(sim)

    async def errno(body: dict[str, Any]) -> str:
        answer = await connected.post("cdr/get_random", body)
        assert answer["status"] == "Failed"
        return str(answer["errno"])

    assert await errno({"number": "all", "starttime": "2024-03-01 00:00:00"}) == "10004"
    assert await errno({**DAY}) == "10004"
    assert await errno({"number": "all", **DAY, "endtime": ""}) == "10004"
    assert await errno({"number": "all", **DAY, "starttime": "2024-03-01"}) == "20019"
    assert (
        await errno({"number": "all", **DAY, "endtime": "01/03/2024 23:59:59"})
        == "20019"
    )
    assert (
        await errno({"number": "all", **DAY, "starttime": "2024-03-01 25:00:00"})
        == "20019"
    )
    reversed_window = {
        "starttime": "2024-03-02 00:00:00",
        "endtime": "2024-03-01 00:00:00",
    }
    assert await errno({"number": "all", **reversed_window}) == "20019"
    assert (
        await errno(
            {
                "number": "all",
                "starttime": "2023-01-01 00:00:00",
                "endtime": "2023-12-31 23:59:59",
            }
        )
        == "20021"
    )
    assert await errno({"number": "1003", **DAY}) == "20021"
    assert (await connected.post("cdr/get_random", {"number": "all", **DAY}, token=""))[
        "errno"
    ] == "20005"


async def test_download_errors(
    connected: Api, sim: PbxSimulator, clock: FakeClock
) -> None:
    history(sim)
    fields = {"number": "all", **DAY}
    random = (await connected.post("cdr/get_random", fields))["random"]
    params = fields | {"random": random, "token": connected.token}
    assert await failure(connected, {**params, "token": ""}) == "20005"
    assert await failure(connected, {**params, "token": "f" * 32}) == "20004"
    assert await failure(connected, {**params, "random": "nope"}) == "20020"
    assert await failure(connected, {**params, "number": "1000"}) == "20020"
    assert (
        await failure(connected, {**params, "endtime": "2024-03-01 23:59:58"})
        == "20020"
    )
    assert (
        await failure(connected, {k: v for k, v in params.items() if k != "random"})
        == "10004"
    )
    response, _ = await download(connected, params)
    assert response.content_type == "text/csv"
    assert await failure(connected, params) == "20020"  # single use

    late = (await connected.post("cdr/get_random", fields))["random"]
    clock.advance(31)
    assert await failure(connected, {**params, "random": late}) == "20020"

    fenced = (
        await connected.post("cdr/get_random", fields | {"allowedip": "10.0.0.1"})
    )["random"]
    assert await failure(connected, {**params, "random": fenced}) == "20015"
    here = (
        await connected.post("cdr/get_random", fields | {"allowedip": "127.0.0.1"})
    )["random"]
    response, _ = await download(connected, {**params, "random": here})
    assert response.content_type == "text/csv"

    gone = (await connected.post("cdr/get_random", fields))["random"]
    sim.engine.cdrs.clear()
    assert await failure(connected, {**params, "random": gone}) == "20021"


async def test_download_by_post_and_logged(connected: Api, sim: PbxSimulator) -> None:
    history(sim)
    fields = {"number": "all", **DAY}
    random = (await connected.post("cdr/get_random", fields))["random"]
    async with connected.session.post(
        connected.url("cdr/download"),
        params=fields | {"random": random, "token": connected.token},
        ssl=False,
    ) as response:
        assert (
            response.headers["Content-Disposition"] == 'attachment; filename="cdr.csv"'
        )
        assert (await response.read()).startswith(b"callid,")
    record = sim.requests[-1]
    assert (record.endpoint, record.method, record.response) == (
        "cdr/download",
        "POST",
        None,
    )


async def test_records_are_bounded_and_survive_a_reboot(
    sim_factory: Any, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    async with sim_factory(ssl=False, cdr_history=2) as small:
        api = Api(small, http)
        await api.login(receiver)
        history(small)
        assert [cdr["callid"] for cdr in small.cdrs] == [
            "1709285000.3",
            "1709366400.4",
        ]
        random = (await api.post("cdr/get_random", {"number": "all", **DAY}))["random"]
        await small.reboot()
        await small.wait_online(timeout=2)
        await api.login()
        assert len(small.cdrs) == 2
        params = {"number": "all", **DAY, "random": random, "token": api.token}
        assert await failure(api, params) == "20020"  # randoms are gone


async def test_add_cdr(sim: PbxSimulator, http: aiohttp.ClientSession) -> None:
    control = Control(sim, http)
    answer = await control(
        "add_cdr",
        {"callid": "9.9", "timestart": "2024-03-01 10:00:00", "callfrom": 1000},
    )
    assert answer["record"]["callfrom"] == "1000"
    assert answer["record"]["status"] == ""
    assert sim.cdrs[-1] == answer["record"]
    assert list(answer["record"]) == list(CDR_COLUMNS)
    bad_time = await control("add_cdr", {"timestart": "yesterday"}, expect=400)
    assert "bad timestart" in bad_time["error"]
    unknown = await control(
        "add_cdr", {"timestart": "2024-03-01 10:00:00", "event": "x"}, expect=400
    )
    assert "unknown call record fields" in unknown["error"]
    assert len(sim.cdrs) == 1


def test_store_skips_records_without_a_time() -> None:
    store = CdrStore(
        [{"timestart": ""}, {"timestart": "2024-03-01 10:00:00"}], lambda: 0.0, 30
    )
    assert len(store.select("all", "2024-03-01 00:00:00", "2024-03-01 23:59:59")) == 1
    assert involves({"callfrom": "1000", "callto": "1001"}, "1001, 1005")
    assert not involves({"callfrom": "1000", "callto": "6300(1001)"}, "1002")
    assert to_csv([]) == (",".join(CDR_COLUMNS) + "\r\n").encode()


def test_a_random_lives_until_its_last_second() -> None:
    now = [0.0]
    store = CdrStore([{"timestart": "2024-03-01 10:00:00"}], lambda: now[0], 30)
    random = store.grant("all", *DAY.values())
    now[0] = 30
    assert store.download("all", *DAY.values(), random, "127.0.0.1").startswith(
        b"callid"
    )
