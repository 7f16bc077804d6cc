"""The PBX API routes under /api/v2.0.0/ (sections 3 to 5).

Order of the checks on every request (the reference is silent): API switched off (HTTP 404
HTML page), method (20001), endpoint (10003), body (10002/20000), token (20005, 20004, or the
expired-token errno), then the endpoint's own parameters. Several sessions may be logged in at
once; each has its own token and report destination and receives every report.
"""

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
import hashlib
import time
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from . import events
from .auth import Clock, LoginGuard, Session, TokenStore
from .cdr import CdrStore
from .engine import CallEngine
from .office import Office
from .recordings import RecordingStore
from .reports import ReportDispatcher
from .timing import SimulatorTiming
from .wire import (
    API_PREFIX,
    ApiError,
    Errno,
    as_text,
    disabled_response,
    failure,
    json_response,
    parse_body,
    require,
    success,
)

SMS_TRUNK_TYPES = frozenset({"GSM", "UMTS", "LTE"})
DOWNLOADS = frozenset({"recording/download", "cdr/download"})
CALL_TYPES = {"inbound": "Inbound", "outbound": "Outbound", "internal": "Internal"}


@dataclass(frozen=True, kw_only=True)
class RequestRecord:
    """One API request as the PBX saw it, with its answer (None for a non-JSON answer)."""

    endpoint: str
    method: str
    source: str
    query: dict[str, str]
    body: dict[str, Any]
    response: dict[str, Any] | None
    http_status: int = 200


@dataclass(frozen=True)
class Context:
    """What an endpoint handler gets: the parsed body, the caller's address and session."""

    body: dict[str, Any]
    source: str
    session: Session | None

    @property
    def current(self) -> Session:
        """Return the session of a token-checked request."""
        if self.session is None:
            raise ApiError(Errno.TOKEN_BLANK, "no session")
        return self.session


type Handler = Callable[[Context], dict[str, Any]]


@dataclass(kw_only=True)
class Credentials:
    """The API user name and clear-text password configured on the PBX."""

    username: str
    password: str

    def match(self, username: str, password_md5: str) -> bool:
        """Return True when a login carries the user name and the MD5 of the password."""
        expected = hashlib.md5(
            self.password.encode(), usedforsecurity=False
        ).hexdigest()
        return username == self.username and password_md5.lower() == expected


@dataclass(kw_only=True)
class BootTracker:
    """Which API clients are owed a BootUp after a reboot: each gets it once, when it logs in.

    A client is the address it logs in from; only clients that had logged in before the
    reboot are owed one (the PBX knew them).
    """

    started: float
    known: set[str] = field(default_factory=set)
    owed: set[str] = field(default_factory=set)

    def rebooted(self, now: float) -> None:
        """Owe BootUp to every client known before the reboot."""
        self.started = now
        self.owed |= self.known
        self.known = set()

    def take(self, source: str) -> bool:
        """Note a client that logged in; return True when it is owed a BootUp (the first time)."""
        self.known.add(source)
        if source in self.owed:
            self.owed.discard(source)
            return True
        return False


class PbxApi:
    """Serve /api/v2.0.0/: authentication, queries, call control, SMS, recordings, CDR."""

    def __init__(
        self,
        *,
        office: Office,
        credentials: Credentials,
        tokens: TokenStore,
        guard: LoginGuard,
        reports: ReportDispatcher,
        engine: CallEngine,
        timing: SimulatorTiming,
        clock: Clock,
        calls_key: str,
        history: int,
    ) -> None:
        """Wire the API to the office, its sessions, reports and calls."""
        self._office = office
        self._credentials = credentials
        self._tokens = tokens
        self._guard = guard
        self._reports = reports
        self._engine = engine
        self._timing = timing
        self._clock = clock
        self._calls_key = calls_key
        self._last_apply: float | None = None
        self.enabled = True
        # Where the reference is silent (section 4.4): whether a login ends the other
        # sessions of the account. Off by default (sessions coexist); on, every login
        # ends the tokens of earlier ones, as two clients sharing an account would see.
        self.single_session = False
        self.boot = BootTracker(started=clock())
        self.recordings = RecordingStore(
            engine.recordings, clock, timing.recording_random_lifetime
        )
        self.cdr = CdrStore(engine.cdrs, clock, timing.cdr_random_lifetime)
        self.requests: deque[RequestRecord] = deque(maxlen=history)
        self.sms: deque[dict[str, str]] = deque(maxlen=history)
        self._endpoints: dict[str, Handler] = {
            "login": self._login,
            "heartbeat": self._heartbeat,
            "logout": self._logout,
            "deviceinfo/query": self._deviceinfo,
            "extension/list": self._extension_list,
            "extension/query": self._extension_query,
            "extension/query_call": self._extension_query_call,
            "extension/update": self._extension_update,
            "trunk/list": self._trunk_list,
            "companycontacts/query": self._company_contacts,
            "call/dial": self._call_dial,
            "call/query": self._call_query,
            "call/hangup": self._call_hangup,
            "call/hold": self._call_hold,
            "call/unhold": self._call_unhold,
            "call/mute": self._call_mute,
            "call/unmute": self._call_mute,
            "call/transfer": self._call_transfer,
            "call/accept_inbound": self._call_accept,
            "call/refuse_inbound": self._call_refuse,
            "call/playprompt": self._call_playprompt,
            "sms/send": self._sms_send,
            "recording/get_random": self._recording_random,
            "cdr/get_random": self._cdr_random,
        }

    # -- request plumbing --------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer any request under /api/."""
        if not self.enabled:
            return disabled_response()
        endpoint = (
            request.path.removeprefix(API_PREFIX).strip("/")
            if request.path.startswith(API_PREFIX)
            else ""
        )
        source = request.remote or ""
        if endpoint in DOWNLOADS and request.method in {"GET", "POST"}:
            return self._download(request, endpoint, source)
        raw = await request.read()
        body: dict[str, Any] = {}
        try:
            handler = self._handler(request.method, endpoint)
            body = parse_body(raw)
            session = (
                None
                if endpoint == "login"
                else self._tokens.authenticate(request.query.get("token", ""))
            )
            result = handler(Context(body, source, session))
        except ApiError as err:
            result = failure(err.errno)
        self._log(request, endpoint, source, body, result)
        return json_response(result)

    def _handler(self, method: str, endpoint: str) -> Handler:
        """Return the handler of a request, or raise 20001 (not POST) / 10003 (unknown)."""
        if method != "POST":
            raise ApiError(Errno.ONLY_POST, method)
        handler = self._endpoints.get(endpoint)
        if handler is None:
            raise ApiError(Errno.UNKNOWN_REQUEST, endpoint)
        return handler

    def _log(
        self,
        request: web.Request,
        endpoint: str,
        source: str,
        body: dict[str, Any],
        result: dict[str, Any] | None,
    ) -> None:
        """Keep a record of a request for tests and the control state."""
        record = RequestRecord(
            endpoint=endpoint or request.path,
            method=request.method,
            source=source,
            query=dict(request.query),
            body=body,
            response=result,
        )
        self.requests.append(record)

    def _download(
        self, request: web.Request, endpoint: str, source: str
    ) -> web.StreamResponse:
        """GET recording/download (a WAV) or cdr/download (a CSV), else a failure body.

        The parameters are read from the query string (where the reference puts them).
        """
        query = {key: as_text(value) for key, value in request.query.items()}
        try:
            self._tokens.authenticate(query.get("token", ""))
            if endpoint == "recording/download":
                recording, random = require(query, "recording", "random")
                body = self.recordings.download(recording, random, source)
                content_type, filename = "audio/x-wav", recording
            else:
                number, start, end, random = require(
                    query, "number", "starttime", "endtime", "random"
                )
                body = self.cdr.download(number, start, end, random, source)
                content_type, filename = "text/csv", "cdr.csv"
        except ApiError as err:
            self._log(request, endpoint, source, {}, failure(err.errno))
            return json_response(failure(err.errno))
        self._log(request, endpoint, source, {}, None)
        response = web.Response(
            body=body,
            headers={
                "Content-Type": content_type,
                "Content-Disposition": f'attachment; filename="{filename}"',
            },
        )
        response.force_close()
        return response

    def _numbers(self, body: dict[str, Any]) -> list[str]:
        """Return the extension numbers a "number" parameter names ("all" or a comma list)."""
        (number,) = require(body, "number")
        if number.lower() == "all":
            return [extension.number for extension in self._office.extensions]
        numbers = [part.strip() for part in number.split(",") if part.strip()]
        for part in numbers:
            self._engine.extension(part)
        return numbers

    # -- authentication ----------------------------------------------------------------

    def _login(self, ctx: Context) -> dict[str, Any]:
        """login: check the MD5 credentials and the lock-out, then open a session."""
        if self._guard.is_locked(ctx.source):
            raise ApiError(Errno.LOCKED_OUT, ctx.source)
        username, password = require(ctx.body, "username", "password")
        if not self._credentials.match(username, password):
            self._guard.record_failure(ctx.source)
            raise ApiError(Errno.BAD_CREDENTIALS, username)
        self._guard.record_success(ctx.source)
        if self.single_session:
            for old in self._tokens.active():
                self._tokens.remove(old.token)
                self._reports.drop(old.token)
        session = self._tokens.create(ctx.source, ctx.body)
        if self.boot.take(session.source):
            self._reports.send(session, events.boot_up())
        return success(token=session.token, transport="HTTP")

    def _heartbeat(self, ctx: Context) -> dict[str, Any]:
        """heartbeat: the token was refreshed; move the report destination when asked."""
        ctx.current.configure(ctx.body)
        return success()

    def _logout(self, ctx: Context) -> dict[str, Any]:
        """logout: forget the token and drop its reports."""
        self._tokens.remove(ctx.current.token)
        self._reports.drop(ctx.current.token)
        return success()

    # -- system, extensions, trunks ----------------------------------------------------

    def _deviceinfo(self, ctx: Context) -> dict[str, Any]:
        """deviceinfo/query."""
        office = self._office
        minutes, seconds = divmod(int(self._clock() - self.boot.started), 60)
        hours, minutes = divmod(minutes, 60)
        return success(
            deviceinfo={
                "devicename": office.model,
                "sn": office.serial_number,
                "hardwarever": office.hardware,
                "firmwarever": office.firmware,
                "systemtime": f"{office.local_now():%Y-%m-%d %H:%M:%S} {office.utc_label}",
                "uptime": f"{hours:02d}:{minutes:02d}:{seconds:02d}",
                "extensionstatus": f"{len(office.extensions)}/{office.capacity}",
            }
        )

    def _extension_summary(self, number: str) -> dict[str, str]:
        """Return the fields extension/list shows for one extension."""
        extension = self._engine.extension(number)
        entry = {
            "number": extension.number,
            "status": self._engine.list_status(extension),
            "type": extension.type,
            "username": extension.name,
            "agentid": extension.settings.get("agentid", ""),
        }
        if extension.is_fxs:
            entry["port"] = extension.port
        return entry

    def _extension_list(self, ctx: Context) -> dict[str, Any]:
        """extension/list."""
        return success(
            extlist=[
                self._extension_summary(ext.number) for ext in self._office.extensions
            ]
        )

    def _extension_query(self, ctx: Context) -> dict[str, Any]:
        """extension/query: every setting of the named extensions."""
        infos = [
            self._extension_summary(number) | self._engine.extension(number).settings
            for number in self._numbers(ctx.body)
        ]
        return success(extinfos=infos)

    def _extension_query_call(self, ctx: Context) -> dict[str, Any]:
        """extension/query_call: the calls of the named extensions."""
        calllist = [
            {
                "number": number,
                "numbercalls": [call.wire() for call in self._engine.calls_of(number)],
            }
            for number in self._numbers(ctx.body)
        ]
        return success(calllist=calllist)

    def _extension_update(self, ctx: Context) -> dict[str, Any]:
        """extension/update: write settings (10017 refused value, 10025 too frequent)."""
        (number,) = require(ctx.body, "number")
        extension = self._engine.extension(number)
        now = self._clock()
        interval = self._timing.config_apply_interval
        if (
            interval
            and self._last_apply is not None
            and now - self._last_apply < interval
        ):
            raise ApiError(Errno.APPLIED_TOO_OFTEN, "apply again later")
        try:
            extension.apply(
                {key: value for key, value in ctx.body.items() if key != "number"}
            )
        except ValueError as err:
            raise ApiError(Errno.EXTENSION_CONFIG_FAILED, str(err)) from err
        self._last_apply = now
        self._reports.publish(events.config_change("extension", number, "update"))
        return success()

    def _trunk_list(self, ctx: Context) -> dict[str, Any]:
        """trunk/list (the port only for hardware trunks)."""
        trunks = []
        for trunk in self._office.trunks:
            entry = {
                "trunkname": trunk.name,
                "id": trunk.id,
                "type": trunk.type,
                "status": trunk.status,
            }
            if trunk.port:
                entry["port"] = trunk.port
            trunks.append(entry)
        return success(trunklist=trunks)

    def _company_contacts(self, ctx: Context) -> dict[str, Any]:
        """companycontacts/query: {"id":"all"}, one id or a comma list of ids.

        The reference (one source) shows only "all"; an id the PBX does not have is left
        out of the answer (no errno is documented for it), a blank id is 10004.
        """
        (wanted,) = require(ctx.body, "id")
        ids = {part.strip() for part in wanted.split(",")}
        contacts = [
            contact.wire()
            for contact in self._office.contacts
            if wanted.lower() == "all" or contact.id in ids
        ]
        return success(companycontacts=contacts)

    # -- calls -------------------------------------------------------------------------

    def _call_dial(self, ctx: Context) -> dict[str, Any]:
        """call/dial: click-to-call."""
        caller, callee = require(ctx.body, "caller", "callee")
        autoanswer = as_text(ctx.body.get("autoanswer")).lower() == "yes"
        call = self._engine.dial(
            caller,
            callee,
            autoanswer=autoanswer,
            dialpermission=as_text(ctx.body.get("dialpermission")),
        )
        return success(callid=call.callid)

    def _call_query(self, ctx: Context) -> dict[str, Any]:
        """call/query: one call by callid, or the calls of a type, or all."""
        callid = as_text(ctx.body.get("callid"))
        if callid:
            calls = [self._engine.call(callid)]
        else:
            wanted = CALL_TYPES.get(as_text(ctx.body.get("type")).lower())
            calls = [
                call
                for call in self._engine.calls.values()
                if wanted in {None, call.type}
            ]
        return success(**{self._calls_key: [call.wire() for call in calls]})

    def _channel_action(
        self, ctx: Context, action: Callable[..., None]
    ) -> dict[str, Any]:
        """Apply an engine action to the call and member of a channelid; answer the callid."""
        (channel,) = require(ctx.body, "channelid")
        call, member = self._engine.channel(channel)
        action(call, member)
        return success(callid=call.callid)

    def _call_hangup(self, ctx: Context) -> dict[str, Any]:
        """call/hangup."""
        return self._channel_action(ctx, self._engine.hangup_member)

    def _call_hold(self, ctx: Context) -> dict[str, Any]:
        """call/hold."""
        return self._channel_action(ctx, self._engine.hold)

    def _call_unhold(self, ctx: Context) -> dict[str, Any]:
        """call/unhold."""
        return self._channel_action(ctx, self._engine.unhold)

    def _call_mute(self, ctx: Context) -> dict[str, Any]:
        """call/mute and call/unmute: comma-separated channels must exist (no report follows)."""
        (channels,) = require(ctx.body, "channelid")
        for channel in channels.split(","):
            self._engine.channel(channel.strip())
        return success()

    def _call_transfer(self, ctx: Context) -> dict[str, Any]:
        """call/transfer: blind transfer (not reported as a Transfer event)."""
        channel, number = require(ctx.body, "channelid", "number")
        call, member = self._engine.channel(channel)
        self._engine.transfer(
            call, member, number, permission=as_text(ctx.body.get("dialpermission"))
        )
        return success()

    def _call_accept(self, ctx: Context) -> dict[str, Any]:
        """call/accept_inbound."""
        (channel,) = require(ctx.body, "channelid")
        self._engine.accept_inbound(channel, accept=True)
        return success()

    def _call_refuse(self, ctx: Context) -> dict[str, Any]:
        """call/refuse_inbound."""
        (channel,) = require(ctx.body, "channelid")
        self._engine.accept_inbound(channel, accept=False)
        return success()

    def _call_playprompt(self, ctx: Context) -> dict[str, Any]:
        """call/playprompt: call a number and play prompts; PlayPromptEnd follows."""
        number, prompt = require(ctx.body, "number", "prompt")
        count = as_text(ctx.body.get("count")) or "1"
        call = self._engine.play_prompt(
            number,
            prompt,
            count=int(count) if count.isdigit() else 1,
            autoanswer=as_text(ctx.body.get("autoanswer")).lower() == "yes",
            dialpermission=as_text(ctx.body.get("dialpermission")),
        )
        return success(callid=call.callid)

    # -- SMS and recordings ------------------------------------------------------------

    def _sms_send(self, ctx: Context) -> dict[str, Any]:
        """sms/send through a GSM/LTE trunk."""
        trunk = self._office.trunk(as_text(ctx.body.get("trunk")))
        if trunk is None or trunk.type not in SMS_TRUNK_TYPES:
            raise ApiError(Errno.NO_SUCH_GSM_MODULE, "no GSM trunk")
        phonenumber, message = (
            as_text(ctx.body.get("phonenumber")),
            as_text(ctx.body.get("message")),
        )
        if not phonenumber:
            raise ApiError(Errno.SMS_NUMBER_BLANK, "phonenumber")
        if not message:
            raise ApiError(Errno.SMS_CONTENT_BLANK, "message")
        if trunk.status != "Idle":
            raise ApiError(Errno.GSM_BUSY, trunk.status)
        smsid = f"{phonenumber}-{int(time.time())}"
        self.sms.append(
            {
                "smsid": smsid,
                "trunk": trunk.name,
                "phonenumber": phonenumber,
                "message": unquote(message),
            }
        )
        return success(smsid=smsid)

    def _recording_random(self, ctx: Context) -> dict[str, Any]:
        """recording/get_random: a single-use random for the download link."""
        (recording,) = require(ctx.body, "recording")
        random = self.recordings.grant(recording, as_text(ctx.body.get("allowedip")))
        return success(recording=recording, random=random)

    def _cdr_random(self, ctx: Context) -> dict[str, Any]:
        """cdr/get_random: a single-use random for the CSV of a number and time window."""
        number, start, end = require(ctx.body, "number", "starttime", "endtime")
        random = self.cdr.grant(number, start, end, as_text(ctx.body.get("allowedip")))
        return success(random=random)
