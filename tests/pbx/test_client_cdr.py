"""YeastarClient.cdr_records: both download steps, against a fake PBX and the simulator."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from aiohttp import web
import pytest

from custom_components.yeastar.pbx.callmodels import CallType, Cdr, CdrStatus
from custom_components.yeastar.pbx.client import YeastarClient
from custom_components.yeastar.pbx.errors import (
    YeastarApiDisabledError,
    YeastarApiError,
    YeastarConnectionError,
)
from simulator import PbxSimulator
from tests.common import FakeClock, Receiver

from .conftest import ClientFactory, FakePbx

START = datetime(2024, 3, 1)
END = datetime(2024, 3, 1, 23, 59, 59)
CSV = (
    "\ufeffcallid,timestart,callfrom,callto,status,type\r\n"
    "1.1,2024-03-01 09:00:00,0612345678,1000,NO ANSWER,Inbound\r\n"
    '1.2,2024-03-01 10:00:00,1000,"0687654321",ANSWERED,Outbound\r\n'
)


def random_answer(random: str = "r4nd0m") -> dict[str, str]:
    """Return the answer to cdr/get_random."""
    return {"status": "Success", "random": random}


class Download:
    """A cdr/download answer that keeps the query it was asked with."""

    def __init__(self, answer: web.StreamResponse | dict[str, Any]) -> None:
        self.answer = answer
        self.method = ""
        self.query: dict[str, str] = {}

    async def __call__(
        self, request: web.Request
    ) -> web.StreamResponse | dict[str, Any]:
        self.method = request.method
        self.query = dict(request.query)
        return self.answer


def csv_response(text: str) -> web.Response:
    """Return a CSV file answer."""
    return web.Response(body=text.encode(), content_type="text/csv")


async def test_both_steps(fake_pbx: FakePbx, client: YeastarClient) -> None:
    download = Download(csv_response(CSV))
    fake_pbx.answer("cdr/get_random", random_answer())
    fake_pbx.answer("cdr/download", download)
    records = await client.cdr_records(START, END)
    assert [(r.call_id, r.status, r.call_type) for r in records] == [
        ("1.1", CdrStatus.NO_ANSWER, CallType.INBOUND),
        ("1.2", CdrStatus.ANSWERED, CallType.OUTBOUND),
    ]
    window = {
        "number": "all",
        "starttime": "2024-03-01 00:00:00",
        "endtime": "2024-03-01 23:59:59",
    }
    assert fake_pbx.seen("cdr/get_random")[0].body == window
    assert download.method == "GET"
    assert download.query == window | {"random": "r4nd0m", "token": "token1"}


async def test_one_number_and_a_time_zone(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """A time zone is not converted: the PBX's local time is what the caller gives."""
    fake_pbx.answer("cdr/get_random", random_answer())
    fake_pbx.answer("cdr/download", csv_response(CSV))
    aware = datetime(2024, 3, 1, 8, 30, tzinfo=timezone(timedelta(hours=5)))
    await client.cdr_records(aware, aware.astimezone(UTC), number="1000")
    assert fake_pbx.seen("cdr/get_random")[0].body == {
        "number": "1000",
        "starttime": "2024-03-01 08:30:00",
        "endtime": "2024-03-01 03:30:00",
    }


@pytest.mark.parametrize(
    "download",
    [
        {"status": "Failed", "errno": "20021"},
        {"status": "Success"},
        csv_response(""),
        csv_response("No records\r\n"),
        csv_response("callid,timestart\r\n"),
    ],
)
async def test_no_records(
    fake_pbx: FakePbx, client: YeastarClient, download: Any
) -> None:
    fake_pbx.answer("cdr/get_random", random_answer())
    fake_pbx.answer("cdr/download", download)
    assert await client.cdr_records(START, END) == []


async def test_no_records_in_the_window(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    fake_pbx.answer("cdr/get_random", {"status": "Failed", "errno": "20021"})
    assert await client.cdr_records(START, END) == []
    assert fake_pbx.seen("cdr/download") == []


@pytest.mark.parametrize(
    ("step", "errno"),
    [
        ("cdr/get_random", "20019"),
        ("cdr/get_random", "10004"),
        ("cdr/download", "20020"),
        ("cdr/download", "20015"),
    ],
)
async def test_errors(
    fake_pbx: FakePbx, client: YeastarClient, step: str, errno: str
) -> None:
    if step == "cdr/download":
        fake_pbx.answer("cdr/get_random", random_answer())
    fake_pbx.answer(step, {"status": "Failed", "errno": errno})
    with pytest.raises(YeastarApiError) as excinfo:
        await client.cdr_records(START, END)
    assert (excinfo.value.errno, excinfo.value.endpoint) == (errno, step)


async def test_download_that_is_not_the_api(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    fake_pbx.answer("cdr/get_random", random_answer())
    fake_pbx.answer("cdr/download", web.Response(status=404, text="<html>gone</html>"))
    with pytest.raises(YeastarApiDisabledError, match="HTTP 404"):
        await client.cdr_records(START, END)


async def test_download_that_hangs(
    fake_pbx: FakePbx, make_client: ClientFactory
) -> None:
    client = make_client(fake_pbx, request_timeout=0.2)
    fake_pbx.answer("cdr/get_random", random_answer())
    fake_pbx.answer("cdr/download", fake_pbx.hang)
    with pytest.raises(YeastarConnectionError, match="timed out") as excinfo:
        await client.cdr_records(START, END)
    assert "token1" not in str(excinfo.value)


# -- against the simulator ------------------------------------------------------------


@pytest.fixture
def pbx_client(sim: PbxSimulator, sim_client: ClientFactory) -> YeastarClient:
    """Return a client of the plain-HTTP simulator."""
    return sim_client(sim)


async def test_records_of_the_simulators_calls(
    sim: PbxSimulator, pbx_client: YeastarClient, receiver: Receiver, clock: FakeClock
) -> None:
    await pbx_client.login()
    now = sim.office.local_now()
    answered = await sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    await sim.answer(answered)
    clock.advance(42)
    await sim.hangup(answered)
    missed = await sim.internal_call("1001", "1002")
    await sim.hangup(missed)
    await receiver.wait_for("NewCdr", 2)
    reported = [Cdr.from_dict(body) for body in receiver.events("NewCdr")]

    window = (now - timedelta(minutes=1), now + timedelta(minutes=5))
    records = await pbx_client.cdr_records(*window)
    assert records == reported
    assert records[0].talk_duration == 42
    assert records[0].recording.endswith("-Inbound.wav")
    assert [
        r.call_id for r in await pbx_client.cdr_records(*window, number="1002")
    ] == [missed]
    assert await pbx_client.cdr_records(*window, number="1005") == []
    earlier = now - timedelta(days=1)
    assert await pbx_client.cdr_records(earlier, earlier + timedelta(hours=1)) == []
    with pytest.raises(YeastarApiError) as excinfo:
        await pbx_client.cdr_records(window[1], window[0])
    assert excinfo.value.errno == "20019"


async def test_history_of_a_day(sim: PbxSimulator, pbx_client: YeastarClient) -> None:
    sim.add_cdr(
        {
            "callid": "1709287200.12",
            "timestart": "2024-03-01 10:00:00",
            "callfrom": "0612345678",
            "callto": "6300(1001)",
            "callduraction": "47",
            "talkduraction": "39",
            "srctrunkname": "SIPTrunk1",
            "status": "ANSWERED",
            "type": "Inbound",
            "didnumber": "5551234",
        }
    )
    sim.add_cdr({"callid": "1709373600.1", "timestart": "2024-03-02 10:00:00"})
    (record,) = await pbx_client.cdr_records(START, END)
    assert record == Cdr(
        call_id="1709287200.12",
        time_start="2024-03-01 10:00:00",
        call_from="0612345678",
        call_to="6300(1001)",
        call_duration=47,
        talk_duration=39,
        source_trunk="SIPTrunk1",
        destination_trunk="",
        pin_code="",
        status=CdrStatus.ANSWERED,
        call_type=CallType.INBOUND,
        recording="",
        did_number="5551234",
        agent_ring_time="",
    )
    assert [r.call_id for r in await pbx_client.cdr_records(START, END, "1001")] == [
        "1709287200.12"
    ]
