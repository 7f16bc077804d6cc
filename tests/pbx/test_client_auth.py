"""Login, heartbeat, logout and token care of the client, against a fake PBX."""

import asyncio
from collections.abc import Callable
import contextlib

from aiohttp import web
import pytest

from custom_components.yeastar.pbx.client import ReportDestination, YeastarClient
from custom_components.yeastar.pbx.errors import (
    YeastarApiDisabledError,
    YeastarApiError,
    YeastarAuthenticationError,
    YeastarConnectionError,
    YeastarLockedOutError,
    YeastarTokenError,
    YeastarTokenRefusedError,
)
from custom_components.yeastar.pbx.models import LoginResult

from .conftest import FakePbx

DESTINATION = ReportDestination(
    port=8123, url="api/webhook/abc", ip_address="192.168.1.20"
)


def failed(errno: str) -> dict[str, str]:
    """Return a PBX failure answer."""
    return {"status": "Failed", "errno": errno}


async def test_login_body_and_result(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """Login sends the MD5 of the password and asks for 2.0.0 reports."""
    fake_pbx.answer(
        "login",
        {
            "status": "Success",
            "token": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            "transport": "http",
        },
    )
    result = await client.login()

    assert result == LoginResult(
        token="0a1b2c3d4e5f60718293a4b5c6d7e8f9", transport="HTTP"
    )
    assert client.token == "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    (login,) = fake_pbx.requests
    assert login.body == {
        "username": "api",
        "password": "5ebe2294ecd0e0f08eab7690d2a6ee69",  # MD5 of "secret"
        "version": "2.0.0",
    }


async def test_login_tells_where_to_report(
    fake_pbx: FakePbx, make_client: Callable[..., YeastarClient]
) -> None:
    """Login carries the report destination; the address comes from the source IP."""
    client = make_client(fake_pbx, report_destination=DESTINATION)
    await client.login()
    client.report_destination = ReportDestination(port=8260, url="events", url_tag="1")
    await client.login()

    first, second = (r.body for r in fake_pbx.seen("login"))
    assert first["port"] == "8123"
    assert first["url"] == "api/webhook/abc"
    assert first["urltag"] == "0"
    assert "ipaddr" not in first
    assert (second["port"], second["url"], second["urltag"]) == ("8260", "events", "1")


async def test_on_login_called_for_every_login(
    fake_pbx: FakePbx, make_client: Callable[..., YeastarClient]
) -> None:
    """``on_login`` hears of explicit and implicit logins."""
    logins: list[LoginResult] = []
    client = make_client(fake_pbx, on_login=logins.append)
    await client.login()
    await client.extensions()
    fake_pbx.answer("trunk/list", failed("20004"))
    await client.trunks()
    assert [result.token for result in logins] == ["token1", "token2"]


@pytest.mark.parametrize(
    ("errno", "error"),
    [
        ("20003", YeastarAuthenticationError),
        ("20002", YeastarLockedOutError),
        ("10003", YeastarApiDisabledError),
        ("30003", YeastarApiError),
    ],
)
async def test_login_failures(
    fake_pbx: FakePbx, client: YeastarClient, errno: str, error: type[Exception]
) -> None:
    """Login failures raise their own error and leave no token."""
    fake_pbx.answer("login", failed(errno))
    with pytest.raises(error):
        await client.login()
    assert client.token is None


async def test_request_without_token_logs_in_first(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """The first request logs in, later ones reuse the token."""
    await client.trunks()
    await client.extensions()
    assert fake_pbx.endpoints == ["login", "trunk/list", "extension/list"]
    assert [r.token for r in fake_pbx.requests[1:]] == ["token1", "token1"]


@pytest.mark.parametrize("errno", ["20004", "20005", "20006"])
async def test_stale_token_one_login_one_retry(
    fake_pbx: FakePbx, client: YeastarClient, errno: str
) -> None:
    """A token error on a token the PBX accepted before logs in again once and retries once."""
    await client.login()
    await client.extensions()
    fake_pbx.answer("trunk/list", failed(errno), {"status": "Success", "trunklist": []})
    assert await client.trunks() == []
    assert fake_pbx.endpoints == [
        "login",
        "extension/list",
        "trunk/list",
        "login",
        "trunk/list",
    ]
    assert [r.token for r in fake_pbx.seen("trunk/list")] == ["token1", "token2"]
    assert client.token == "token2"


async def test_token_refused_on_the_retry_holds_logins(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """A fresh token refused on the retry is raised as refused; no login follows by itself."""
    await client.extensions()
    fake_pbx.answer("trunk/list", failed("20004"), failed("20006"))
    with pytest.raises(YeastarTokenRefusedError) as excinfo:
        await client.trunks()
    assert excinfo.value.errno == "20006"
    assert fake_pbx.endpoints == [
        "login",
        "extension/list",
        "trunk/list",
        "login",
        "trunk/list",
    ]
    assert client.token is None
    assert client.login_refusal is excinfo.value
    with pytest.raises(YeastarTokenRefusedError):
        await client.trunks()
    assert fake_pbx.endpoints.count("login") == 2
    await client.login()
    assert client.login_refusal is None


async def test_token_refused_right_after_login(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """A token refused before the PBX ever accepted it is not stale: no re-login."""
    await client.login()
    fake_pbx.answer("trunk/list", failed("20004"))
    with pytest.raises(YeastarTokenRefusedError):
        await client.trunks()
    assert fake_pbx.endpoints == ["login", "trunk/list"]
    assert client.token is None


async def test_an_api_refusal_proves_the_token(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """An answer other than a token error shows the PBX knows the token."""
    await client.login()
    fake_pbx.answer("call/dial", failed("10008"))
    with pytest.raises(YeastarApiError):
        await client.dial("1000", "1001")
    fake_pbx.answer("trunk/list", failed("20004"))
    await client.trunks()
    assert fake_pbx.endpoints == [
        "login",
        "call/dial",
        "trunk/list",
        "login",
        "trunk/list",
    ]


async def test_held_logins(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """Logins held by the caller (tokens keep ending) wait for an explicit login."""
    await client.extensions()
    client.hold_logins(YeastarTokenRefusedError("20004"))
    fake_pbx.answer("trunk/list", failed("20004"))
    with pytest.raises(YeastarTokenRefusedError):
        await client.trunks()
    assert fake_pbx.endpoints.count("login") == 1


@pytest.mark.parametrize(
    ("errno", "error"),
    [("20003", YeastarAuthenticationError), ("20002", YeastarLockedOutError)],
)
async def test_relogin_failure_is_not_retried(
    fake_pbx: FakePbx, client: YeastarClient, errno: str, error: type[Exception]
) -> None:
    """Wrong credentials or a lock-out at the re-login stop everything."""
    await client.login()
    await client.extensions()
    fake_pbx.answer("trunk/list", failed("20004"))
    fake_pbx.answer("login", failed(errno))
    with pytest.raises(error):
        await client.trunks()
    assert fake_pbx.endpoints == ["login", "extension/list", "trunk/list", "login"]
    assert client.token is None


@pytest.mark.parametrize("errno", ["20002", "20003", "10006"])
async def test_other_request_errors_are_not_retried(
    fake_pbx: FakePbx, client: YeastarClient, errno: str
) -> None:
    """Only token errors lead to a re-login."""
    fake_pbx.answer("extension/list", failed(errno))
    with pytest.raises(YeastarApiError) as excinfo:
        await client.extensions()
    assert excinfo.value.errno == errno
    assert fake_pbx.endpoints == ["login", "extension/list"]


async def test_concurrent_first_requests_log_in_once(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """Concurrent requests without a token share one login."""
    await asyncio.gather(*(client.trunks() for _ in range(5)))
    assert fake_pbx.endpoints.count("login") == 1
    assert {r.token for r in fake_pbx.seen("trunk/list")} == {"token1"}


async def test_concurrent_stale_token_logs_in_once(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """Concurrent requests failing on the same stale token cause a single re-login."""
    await client.login()
    await client.extensions()
    stale_seen = asyncio.Event()
    failures = 0

    async def refuse_stale(request: web.Request) -> dict[str, str]:
        nonlocal failures
        if request.query.get("token") == "token1":
            failures += 1
            if failures == 5:
                stale_seen.set()
            await stale_seen.wait()  # all five are in flight with the stale token
            return failed("20004")
        return {"status": "Success"}

    fake_pbx.answer("trunk/list", *([refuse_stale] * 10))
    await asyncio.gather(*(client.trunks() for _ in range(5)))

    assert fake_pbx.endpoints.count("login") == 2
    assert sorted(r.token for r in fake_pbx.seen("trunk/list")) == (
        ["token1"] * 5 + ["token2"] * 5
    )


async def test_heartbeat_body(
    fake_pbx: FakePbx, make_client: Callable[..., YeastarClient]
) -> None:
    """The heartbeat renews the whole destination, ``ipaddr`` included."""
    client = make_client(fake_pbx, report_destination=DESTINATION)
    await client.heartbeat()
    client.report_destination = ReportDestination(port=8260, url="events")
    await client.heartbeat()
    client.report_destination = None
    await client.heartbeat()

    assert fake_pbx.endpoints == ["login", "heartbeat", "heartbeat", "heartbeat"]
    first, second, third = (r.body for r in fake_pbx.seen("heartbeat"))
    assert first == {
        "ipaddr": "192.168.1.20",
        "port": "8123",
        "url": "api/webhook/abc",
        "urltag": "0",
        "version": "2.0.0",
    }
    assert second == {
        "port": "8260",
        "url": "events",
        "urltag": "0",
        "version": "2.0.0",
    }
    assert third == {"version": "2.0.0"}


async def test_heartbeat_stale_token_logs_in_again(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """A heartbeat refused for its token logs in once and is sent again."""
    await client.login()
    await client.heartbeat()
    fake_pbx.answer("heartbeat", failed("20004"))
    await client.heartbeat()
    assert fake_pbx.endpoints == [
        "login",
        "heartbeat",
        "heartbeat",
        "login",
        "heartbeat",
    ]


@pytest.mark.parametrize(
    ("errno", "error"),
    [("10003", YeastarApiDisabledError), ("20011", YeastarApiError)],
)
async def test_heartbeat_failures(
    fake_pbx: FakePbx, client: YeastarClient, errno: str, error: type[Exception]
) -> None:
    """An unsupported heartbeat means the API is off; other errnos are API errors."""
    fake_pbx.answer("heartbeat", failed(errno))
    with pytest.raises(error):
        await client.heartbeat()


async def test_logout(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """Logout sends the token and forgets it; without a token nothing is sent."""
    await client.login()
    await client.logout()
    assert client.token is None
    assert fake_pbx.requests[-1].endpoint == "logout"
    assert fake_pbx.requests[-1].token == "token1"
    await client.logout()
    assert fake_pbx.endpoints == ["login", "logout"]


async def test_logout_failure_still_forgets_token(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """A failed logout raises, but the token is gone either way."""
    await client.login()
    fake_pbx.answer("logout", failed("20004"))
    with pytest.raises(YeastarTokenError):
        await client.logout()
    assert client.token is None
    assert fake_pbx.endpoints == ["login", "logout"]


async def test_logout_unreachable_still_forgets_token(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """Logout from a PBX that is gone raises a connection error and forgets the token."""
    await client.login()
    await fake_pbx.stop()
    with pytest.raises(YeastarConnectionError):
        await client.logout()
    assert client.token is None


async def test_concurrent_requests_share_a_failed_login(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """Requests waiting for the same login share its failure: one attempt, not N."""
    fake_pbx.answer("login", failed("20003"), failed("20003"), failed("20003"))
    results = await asyncio.gather(
        *(client.trunks() for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, YeastarAuthenticationError) for r in results)
    assert fake_pbx.endpoints == ["login"]
    with pytest.raises(YeastarAuthenticationError):  # a later request does not try
        await client.trunks()
    assert fake_pbx.endpoints == ["login"]
    with pytest.raises(YeastarAuthenticationError):  # an explicit login does
        await client.login()
    assert fake_pbx.endpoints == ["login", "login"]


@pytest.mark.parametrize(
    ("errno", "error"),
    [("20003", YeastarAuthenticationError), ("20002", YeastarLockedOutError)],
)
async def test_refused_login_stops_implicit_logins(
    fake_pbx: FakePbx, client: YeastarClient, errno: str, error: type[Exception]
) -> None:
    """After 20003 or 20002 no request logs in by itself; only login() tries again."""
    fake_pbx.answer("login", failed(errno))
    with pytest.raises(error):
        await client.trunks()
    assert isinstance(client.login_refusal, error)
    for _ in range(3):
        with pytest.raises(error):
            await client.heartbeat()
        with pytest.raises(error):
            await client.extensions()
    assert fake_pbx.endpoints == ["login"]

    await client.login()
    assert client.login_refusal is None
    await client.trunks()
    assert fake_pbx.endpoints == ["login", "login", "trunk/list"]


async def test_other_login_failures_do_not_stop_logins(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """A login that failed for another reason (unreachable, API off) is tried again later."""
    fake_pbx.answer("login", failed("10003"))
    with pytest.raises(YeastarApiDisabledError):
        await client.trunks()
    assert client.login_refusal is None
    await client.trunks()
    assert fake_pbx.endpoints == ["login", "login", "trunk/list"]


async def test_late_token_error_after_failed_relogin(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """A stale-token answer arriving after another request's re-login failed is not retried."""
    await client.login()
    await client.heartbeat()
    release = asyncio.Event()

    async def late_refusal(request: web.Request) -> dict[str, str]:
        await release.wait()
        return failed("20004")

    fake_pbx.answer("trunk/list", failed("20004"))
    fake_pbx.answer("extension/list", late_refusal)
    fake_pbx.answer("login", failed("20003"))
    late = asyncio.create_task(client.extensions())
    await asyncio.sleep(0)
    with pytest.raises(YeastarAuthenticationError):
        await client.trunks()
    release.set()
    with pytest.raises(YeastarAuthenticationError):
        await late
    assert fake_pbx.endpoints.count("login") == 2


async def test_cancelled_login_lets_waiters_try(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """A login cancelled mid-way is no failure to share: the next waiter logs in."""
    in_flight = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        in_flight.set()
        return await fake_pbx.hang(request)

    fake_pbx.answer("login", failed("30001"), hang)
    with pytest.raises(YeastarApiError):
        await client.login()
    first = asyncio.create_task(client.trunks())
    await in_flight.wait()
    second = asyncio.create_task(client.extensions())
    await asyncio.sleep(0)
    first.cancel()
    assert await second == []
    with pytest.raises(asyncio.CancelledError):
        await first
    assert fake_pbx.endpoints.count("login") == 3


async def test_allow_logins_after_holding_them(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """Held logins are let go again: the next stale token logs in by itself."""
    await client.extensions()
    client.hold_logins(YeastarTokenRefusedError("20004"))
    client.allow_logins()
    assert client.login_refusal is None
    client.allow_logins()  # nothing held: nothing changes
    assert client.login_refusal is None
    fake_pbx.answer("trunk/list", failed("20004"))
    await client.trunks()
    assert fake_pbx.endpoints.count("login") == 2


async def test_logout_of_another_session(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """A session left open is ended by its token; the client's own stays."""
    await client.login()
    await client.logout("an-old-token")
    assert [r.token for r in fake_pbx.seen("logout")] == ["an-old-token"]
    assert client.token == "token1"


@pytest.mark.parametrize("late_answer", [{"status": "Success"}, failed("10006")])
async def test_late_answer_with_an_old_token(
    fake_pbx: FakePbx, client: YeastarClient, late_answer: dict[str, str]
) -> None:
    """An answer to an old token, arriving after a re-login, leaves the new token be."""
    await client.heartbeat()
    release = asyncio.Event()

    async def late(request: web.Request) -> dict[str, str]:
        await release.wait()
        return late_answer

    fake_pbx.answer("extension/list", late)
    fake_pbx.answer(
        "trunk/list", failed("20004"), {"status": "Success", "trunklist": []}
    )
    slow = asyncio.create_task(client.extensions())
    await asyncio.sleep(0)
    assert await client.trunks() == []
    release.set()
    with contextlib.suppress(YeastarApiError):
        await slow
    assert client.token == "token2"
    await client.trunks()
    assert fake_pbx.seen("trunk/list")[-1].token == "token2"


async def test_allowing_logins_keeps_a_credentials_refusal(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """Only held logins are let go: rejected credentials still wait for ``login()``."""
    fake_pbx.answer("login", failed("20003"))
    with pytest.raises(YeastarAuthenticationError):
        await client.trunks()
    client.allow_logins()
    assert isinstance(client.login_refusal, YeastarAuthenticationError)
