"""PbxSimulator: a Yeastar S-Series PBX (API 2.0.0) on a real socket, with test controls."""

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, fields
from datetime import datetime
import time
from typing import Any

from aiohttp import web

from . import events
from .api import Credentials, PbxApi, RequestRecord
from .auth import Clock, LoginGuard, Session, TokenStore
from .calls import Call
from .cdr import CDR_COLUMNS
from .control import control_routes
from .engine import CallEngine
from .listener import Listener, Mode
from .office import Office, SimContact, SimExtension, SimTrunk
from .reports import ReportDispatcher, ReportRecord
from .tasks import BackgroundTasks
from .timing import SimulatorTiming
from .tls import Certificate, self_signed
from .traffic import TrafficGenerator, TrafficProfile
from .wire import ApiError, Errno

EXTENSION_ATTRIBUTES = frozenset(
    {"name", "monitored", "outbound_permission", "registered_ip", "port"}
)
TRUNK_ATTRIBUTES = frozenset(item.name for item in fields(SimTrunk)) - {"name", "id"}


class PbxSimulator:
    """A simulated PBX: the API, event reports, a call engine, outages and traffic."""

    def __init__(
        self,
        office: Office | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl: bool = True,
        username: str = "api",
        password: str = "secret",  # noqa: S107
        timing: SimulatorTiming | None = None,
        clock: Clock = time.monotonic,
        expired_token_errno: str = Errno.NO_SUCH_TOKEN,
        calls_key: str = "calls",
        certificate: Certificate | None = None,
        history: int = 10_000,
        cdr_history: int = 10_000,
    ) -> None:
        """Configure the PBX; nothing listens before start().

        expired_token_errno: "20004" (seen in real client code, default) or "20006" (documented).
        calls_key: the call/query array key, "calls" (documented) or "Calls" (seen in a client).
        certificate: serve this one instead of a fresh self-signed certificate.
        history: how many request and report records are kept.
        cdr_history: how many call records (NewCdr) the PBX keeps for cdr/download.
        """
        self.office = office if office is not None else Office.sample()
        self.timing = timing or SimulatorTiming()
        # Shared with the API: changing them here is changing them on the PBX's API page.
        self.credentials = Credentials(username=username, password=password)
        self._host = host
        self._port = port
        self._use_ssl = ssl
        self._certificate = certificate
        self._clock = clock
        self._tokens = TokenStore(
            clock, self.timing.token_lifetime, str(expired_token_errno)
        )
        self._reports = ReportDispatcher(
            self._tokens,
            serial_number=self.office.serial_number,
            host=host,
            retry_interval=self.timing.report_retry_interval,
            timeout=self.timing.report_timeout,
            history=history,
        )
        self.engine = CallEngine(
            self.office,
            self._reports.publish,
            clock,
            self.timing,
            cdr_history=cdr_history,
        )
        self._api = PbxApi(
            office=self.office,
            credentials=self.credentials,
            tokens=self._tokens,
            guard=LoginGuard(
                clock, self.timing.lockout_failures, self.timing.lockout_duration
            ),
            reports=self._reports,
            engine=self.engine,
            timing=self.timing,
            clock=clock,
            calls_key=calls_key,
            history=history,
        )
        self._tasks = BackgroundTasks()
        self._traffic: TrafficGenerator | None = None
        self._runner: web.AppRunner | None = None
        self._listener: Listener | None = None
        self._rebooting = False

    # -- life cycle --------------------------------------------------------------------

    async def start(self) -> None:
        """Create the certificate (HTTPS), the report client, and start listening."""
        context = None
        if self._use_ssl:
            if self._certificate is None:
                self._certificate = await asyncio.to_thread(
                    self_signed, self.office.model, self._host
                )
            context = await asyncio.to_thread(self._certificate.server_context)
        app = web.Application()
        app.router.add_route("*", "/api/{tail:.*}", self._api.handle)
        app.add_routes(control_routes(self))
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        server = self._runner.server
        if server is None:
            raise RuntimeError("aiohttp runner has no server")
        await self._reports.start()
        self._listener = Listener(server, self._host, self._port, context)
        await self._listener.serve()

    async def stop(self) -> None:
        """Stop traffic, every timer, report delivery and the server."""
        await self.stop_traffic()
        await self._tasks.cancel_all()
        await self.engine.reset()
        await self._reports.close()
        if self._listener is not None:
            await self._listener.refuse()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "PbxSimulator":
        """Start on entering an async with block."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop on leaving the block."""
        await self.stop()

    def schedule(
        self, delay: float, action: Callable[[], Awaitable[None] | None]
    ) -> None:
        """Run an action after a delay (cancelled by stop())."""
        self._tasks.later(delay, action, "scheduled")

    # -- where and how -----------------------------------------------------------------

    @property
    def host(self) -> str:
        """Return the address the PBX listens on."""
        return self._host

    @property
    def port(self) -> int:
        """Return the port the PBX listens on (the real one when 0 was asked)."""
        return self._listener.port if self._listener else self._port

    @property
    def base_url(self) -> str:
        """Return e.g. "https://127.0.0.1:8088"."""
        return f"{'https' if self._use_ssl else 'http'}://{self._host}:{self.port}"

    @property
    def certificate_fingerprint(self) -> str | None:
        """Return the SHA-256 of the certificate (lower-case hex), None over plain HTTP."""
        return (
            self._certificate.fingerprint
            if self._use_ssl and self._certificate
            else None
        )

    @property
    def online(self) -> bool:
        """Return True while the PBX answers requests."""
        return self._listener is not None and self._listener.mode is Mode.SERVING

    @property
    def refuse_tokens(self) -> bool:
        """Return True while every token is refused (20004) though logins succeed."""
        return self._tokens.refuse_all

    @refuse_tokens.setter
    def refuse_tokens(self, refuse: bool) -> None:
        """Refuse every token, or stop refusing them."""
        self._tokens.refuse_all = refuse

    @property
    def single_session(self) -> bool:
        """Return True when a login ends every other session (one client per account)."""
        return self._api.single_session

    @single_session.setter
    def single_session(self, single: bool) -> None:
        """Make a login end every other session, or let sessions coexist."""
        self._api.single_session = single

    @property
    def report_source(self) -> str:
        """Return the local address reports are posted from (the PBX's own by default)."""
        return self._reports.source

    @report_source.setter
    def report_source(self, address: str) -> None:
        """Post later reports from another address (a second interface, a NAT gateway)."""
        self._reports.send_from(address)

    @property
    def api_enabled(self) -> bool:
        """Return True while the API is switched on (else /api/ answers 404 HTML)."""
        return self._api.enabled

    @api_enabled.setter
    def api_enabled(self, enabled: bool) -> None:
        """Switch the API on or off."""
        self._api.enabled = enabled

    # -- records for tests -------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """Return the API requests received, oldest first."""
        return list(self._api.requests)

    @property
    def reports(self) -> list[ReportRecord]:
        """Return the reports queued so far (delivered, waiting or dropped), oldest first."""
        return list(self._reports.records)

    @property
    def tokens(self) -> dict[str, Session]:
        """Return the valid tokens and their sessions (session.destination = report URL)."""
        return {session.token: session for session in self._tokens.active()}

    @property
    def calls(self) -> dict[str, Call]:
        """Return the active calls by callid."""
        return dict(self.engine.calls)

    @property
    def recordings(self) -> list[str]:
        """Return the names of the recordings made so far."""
        return list(self.engine.recordings)

    @property
    def cdrs(self) -> list[dict[str, str]]:
        """Return the call records the PBX keeps (NewCdr fields without "event"), oldest first."""
        return list(self.engine.cdrs)

    @property
    def sms(self) -> list[dict[str, str]]:
        """Return the SMS sent through the API."""
        return list(self._api.sms)

    async def wait_for_reports(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until every report queue is empty (delivered or dropped); TimeoutError otherwise."""
        await self._reports.wait_idle(timeout)

    def state(self) -> dict[str, Any]:
        """Return a plain-data picture of the PBX for GET /control/state."""
        return {
            "online": self.online,
            "api_enabled": self.api_enabled,
            "office": asdict(self.office),
            "extensions": {
                ext.number: self.engine.list_status(ext)
                for ext in self.office.extensions
            },
            "calls": [call.wire() for call in self.engine.calls.values()],
            "sessions": [
                {"destination": s.destination, "version": s.version}
                for s in self._tokens.active()
            ],
            "reports": {
                "queued": len(self._reports.records),
                "pending": self._reports.pending,
            },
            "requests": len(self._api.requests),
            "traffic": self.traffic_running,
        }

    # -- outages -----------------------------------------------------------------------

    def _require_listener(self) -> Listener:
        """Return the listener, which exists once start() ran."""
        if self._listener is None:
            raise RuntimeError("the simulator is not started")
        return self._listener

    async def reboot(self) -> None:
        """Forget tokens, calls and reports, refuse connections for reboot_duration, then serve.

        Returns once the PBX is down; after it is back, each client (address) that had
        logged in before the reboot gets one BootUp report when it logs in again.
        """
        listener = self._require_listener()
        self._rebooting = True
        self._tokens.clear()
        self._reports.drop_all()
        self._api.recordings.clear_grants()
        self._api.cdr.clear_grants()
        self._api.boot.rebooted(self._clock())
        await self.engine.reset()
        await listener.refuse()
        self.schedule(self.timing.reboot_duration, self._boot)

    async def _boot(self) -> None:
        """Come back from a reboot."""
        listener = self._require_listener()
        self._api.boot.started = self._clock()
        await listener.serve()
        self._rebooting = False

    async def wait_online(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the PBX answers again (after a reboot or an outage)."""
        async with asyncio.timeout(timeout):
            await self._require_listener().serving.wait()

    async def take_offline(self, mode: str = "refuse") -> None:
        """Become unreachable: "refuse" closes the socket, "hang" accepts and never answers.

        Only the listening socket changes: sessions stay valid and reports keep going.
        """
        listener = self._require_listener()
        if mode == "refuse":
            await listener.refuse()
        elif mode == "hang":
            await listener.hang()
        else:
            raise ValueError(f"unknown offline mode {mode!r}")

    async def bring_online(self) -> None:
        """Serve again on the same port."""
        await self._require_listener().serve()

    # -- office control ----------------------------------------------------------------

    def _sip_extension(self, number: str) -> SimExtension:
        """Return a SIP extension (FXS ports do not register)."""
        extension = self.engine.extension(number)
        if extension.is_fxs:
            raise ValueError(f"{number} is an FXS extension; it does not register")
        return extension

    def register_extension(self, number: str, registered_ip: str | None = None) -> None:
        """Register a SIP phone: ExtensionStatus "Registered" (with registeredIP)."""
        extension = self._sip_extension(number)
        extension.registered = True
        extension.registered_ip = registered_ip or extension.registered_ip
        self.engine.report_status(number, "Registered")

    def unregister_extension(self, number: str) -> None:
        """Lose a SIP phone's registration: ExtensionStatus "Unregistered", list "Unavailable"."""
        self._sip_extension(number).registered = False
        self.engine.report_status(number, "Unregistered")

    def add_extension(self, extension: SimExtension) -> None:
        """Create an extension: ConfigChange add."""
        self.office.add_extension(extension)
        self._reports.publish(
            events.config_change("extension", extension.number, "add")
        )

    def remove_extension(self, number: str) -> None:
        """Delete an extension (its calls end): ConfigChange del."""
        self.engine.extension(number)
        self.engine.extension_removed(number)
        self.office.remove_extension(number)
        self._reports.publish(events.config_change("extension", number, "del"))

    def update_extension(self, number: str, **settings: Any) -> None:
        """Change settings (extension/query fields such as dnd="on") or attributes: ConfigChange update.

        Attributes: name, monitored, outbound_permission, registered_ip, port.
        """
        extension = self.engine.extension(number)
        for key in EXTENSION_ATTRIBUTES & settings.keys():
            setattr(extension, key, settings.pop(key))
        extension.apply({key: str(value) for key, value in settings.items()})
        self._reports.publish(events.config_change("extension", number, "update"))

    def add_contact(self, contact: SimContact) -> SimContact:
        """Create a company contact (the next free id when it has none); no report."""
        return self.office.add_contact(contact)

    def update_contact(self, contact_id: str, **fields: Any) -> None:
        """Change fields of a company contact (companycontacts/query names); no report."""
        self._contact(contact_id).apply(fields)

    def remove_contact(self, contact_id: str) -> None:
        """Delete a company contact; no report."""
        self.office.remove_contact(self._contact(contact_id).id)

    def _contact(self, contact_id: str) -> SimContact:
        """Return a company contact by id."""
        contact = self.office.contact(str(contact_id))
        if contact is None:
            raise ValueError(f"no contact {contact_id}")
        return contact

    def add_cdr(self, record: Mapping[str, Any]) -> dict[str, str]:
        """Keep a call record of the past (NewCdr field names) for cdr/download; no report.

        Fields left out are blank; `timestart` must be "YYYY-MM-DD HH:MM:SS".
        """
        unknown = set(record) - set(CDR_COLUMNS)
        if unknown:
            raise ValueError(f"unknown call record fields {sorted(unknown)}")
        kept = {column: str(record.get(column, "")) for column in CDR_COLUMNS}
        try:
            datetime.strptime(kept["timestart"], "%Y-%m-%d %H:%M:%S")
        except ValueError as err:
            raise ValueError(f"bad timestart {kept['timestart']!r}") from err
        self.engine.cdrs.append(kept)
        return kept

    def set_trunk_status(self, name: str, status: str) -> None:
        """Change a trunk's status (no report: trunks are polled with trunk/list)."""
        self._trunk(name).status = status

    def add_trunk(self, trunk: SimTrunk) -> None:
        """Create a trunk: ConfigChange add."""
        self.office.add_trunk(trunk)
        self._reports.publish(events.config_change("trunk", trunk.name, "add"))

    def remove_trunk(self, name: str) -> None:
        """Delete a trunk: ConfigChange del."""
        trunk = self.office.remove_trunk(self._trunk(name).name)
        self._reports.publish(events.config_change("trunk", trunk.name, "del"))

    def update_trunk(self, name: str, **attributes: Any) -> None:
        """Change a trunk's attributes (type, status, did, monitored, ...): ConfigChange update."""
        trunk = self._trunk(name)
        unknown = attributes.keys() - TRUNK_ATTRIBUTES
        if unknown:
            raise ValueError(f"unknown trunk attributes {sorted(unknown)}")
        for key, value in attributes.items():
            setattr(trunk, key, value)
        self._reports.publish(events.config_change("trunk", trunk.name, "update"))

    def _trunk(self, name: str) -> SimTrunk:
        """Return a trunk by name."""
        trunk = self.office.trunk(name)
        if trunk is None:
            raise ValueError(f"no trunk {name}")
        return trunk

    # -- calls -------------------------------------------------------------------------

    async def inbound_call(
        self,
        trunk: str,
        caller: str,
        extension: str | Sequence[str],
        *,
        did: str | None = None,
        group: str | None = None,
    ) -> str:
        """Ring one extension, or several at once (a ring group), from an outside caller.

        With a list, the first to answer takes the call and the others go BYE; `group`
        (e.g. "6300") adds `callpath` to the members and gives the CDR `callto` "6300(1001)".
        On a trunk with control_inbound the call first waits for accept/refuse (Invite).
        Returns the callid.
        """
        targets = [extension] if isinstance(extension, str) else list(extension)
        return self.engine.start_inbound(
            trunk, caller, targets, did=did or "", group=group or ""
        ).callid

    async def outbound_call(
        self, extension: str, number: str, trunk: str | None = None
    ) -> str:
        """Dial an outside number from an extension's phone (the first available trunk by default)."""
        return self.engine.start_outbound(extension, number, trunk).callid

    async def internal_call(self, caller: str, callee: str) -> str:
        """Call an extension from another one."""
        return self.engine.start_internal(caller, callee).callid

    async def answer(self, call_id: str, number: str | None = None) -> None:
        """Pick up: `number` is the ringing extension or outside number (default: the first ringing)."""
        self.engine.answer(self.engine.call(call_id), number)

    async def hangup(self, call_id: str, number: str | None = None) -> None:
        """Hang up: the whole call by default, or one party (a ringing ring-group phone drops alone)."""
        self.engine.hangup(self.engine.call(call_id), number)

    async def hold(self, call_id: str, number: str) -> None:
        """Put a talking party (extension or outside number) on hold."""
        call = self.engine.call(call_id)
        self.engine.hold(call, self.engine.member(call, number))

    async def unhold(self, call_id: str, number: str) -> None:
        """Take a party off hold."""
        call = self.engine.call(call_id)
        self.engine.unhold(call, self.engine.member(call, number))

    async def user_transfer(self, call_id: str, *, by: str, to: str) -> None:
        """Blind transfer from a phone (feature code): `by` hands its peer to `to` (Transfer report)."""
        call = self.engine.call(call_id)
        transferrer = self.engine.member(call, by)
        peer = next((m for m in call.live_members if m is not transferrer), None)
        if peer is None:
            raise ApiError(Errno.CALL_NOT_CONNECTED, f"{by} has nobody to transfer")
        self.engine.transfer(call, peer, to, by=transferrer)

    async def fail_call(self, call_id: str, reason: str = "486 Busy here") -> None:
        """Fail a call being set up: CallFailed with the reason, then BYE and NewCdr."""
        self.engine.fail(self.engine.call(call_id), reason)

    async def to_voicemail(self, call_id: str) -> None:
        """Send a ringing call to voicemail (NewCdr status VOICEMAIL at the end)."""
        self.engine.to_voicemail(self.engine.call(call_id))

    async def press_keys(self, call_id: str, keys: str) -> None:
        """Press keys as the caller (one DTMF report per key)."""
        self.engine.press_keys(self.engine.call(call_id), keys)

    # -- traffic -----------------------------------------------------------------------

    def start_traffic(
        self,
        rate: float | None = None,
        seed: int | None = None,
        *,
        max_calls: int | None = None,
        profile: TrafficProfile | None = None,
    ) -> TrafficGenerator:
        """Start random calls (rate per minute); a seed makes the run reproducible."""
        if self.traffic_running:
            raise RuntimeError("traffic is already running")
        profile = profile or TrafficProfile()
        overrides: dict[str, Any] = {"rate": rate, "max_calls": max_calls}
        profile = TrafficProfile(
            **{
                **asdict(profile),
                **{k: v for k, v in overrides.items() if v is not None},
            }
        )
        self._traffic = TrafficGenerator(
            self.engine,
            self.office,
            profile,
            seed,
            lambda: self.online and not self._rebooting,
        )
        self._traffic.start()
        return self._traffic

    async def stop_traffic(self) -> None:
        """Stop random calls and hang up those still going."""
        if self._traffic is not None:
            await self._traffic.stop()

    async def wait_for_traffic(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until a bounded traffic run (max_calls) is over."""
        if self._traffic is not None:
            await self._traffic.wait(timeout)

    @property
    def traffic_running(self) -> bool:
        """Return True while traffic mode runs."""
        return self._traffic is not None and self._traffic.running
