"""Wire format of the PBX API: error numbers, response bodies and headers, request parsing."""

from enum import StrEnum
import json
from typing import Any

from aiohttp import web

API_PREFIX = "/api/v2.0.0/"
SERVER_SOFTWARE = "Boa/0.94.14rc21"
PBX_HEADERS = {
    "Server": SERVER_SOFTWARE,
    "Connection": "close",
    "Access-control-allow-origin": "*",
    "Access-control-allow-methods": "GET, POST, OPTIONS, PUT, DELETE",
}
DISABLED_PAGE = (
    "<html><head><title>404 Not Found</title></head>\n"
    "<body><h1>404 Not Found</h1>\nThe requested URL was not found on this server.\n</body></html>\n"
)


class Errno(StrEnum):
    """The errno strings of section 6 the simulator answers."""

    XML_NOT_SUPPORTED = "10002"
    UNKNOWN_REQUEST = "10003"
    MISSING_PARAMETER = "10004"
    NO_SUCH_CALLID = "10005"
    NO_SUCH_EXTENSION = "10006"
    NO_SUCH_CALL = "10007"
    EXTENSION_NOT_IDLE = "10008"
    CALLEE_NOT_FOUND = "10011"
    CALL_NOT_CONNECTED = "10015"
    WINDOW_EXPIRED = "10016"
    EXTENSION_CONFIG_FAILED = "10017"
    NO_SUCH_PROMPT = "10023"
    NO_OUTBOUND_PERMISSION = "10024"
    APPLIED_TOO_OFTEN = "10025"
    NO_SUCH_GSM_MODULE = "10026"
    GSM_BUSY = "10027"
    SMS_NUMBER_BLANK = "10028"
    SMS_CONTENT_BLANK = "10030"
    ONLY_JSON = "20000"
    ONLY_POST = "20001"
    LOCKED_OUT = "20002"
    BAD_CREDENTIALS = "20003"
    NO_SUCH_TOKEN = "20004"  # noqa: S105
    TOKEN_BLANK = "20005"  # noqa: S105
    TOKEN_TIMEOUT = "20006"  # noqa: S105
    WRONG_PORT = "20008"
    RANDOM_INVALID = "20012"
    NO_SUCH_RECORDING = "20014"
    ALLOWEDIP_ERROR = "20015"
    CDR_TIME_FORMAT = "20019"
    CDR_RANDOM_INVALID = "20020"
    NO_CDR = "20021"


class ApiError(Exception):
    """A request the PBX refuses with an errno (also raised by the simulator's Python API)."""

    def __init__(self, errno: str, message: str = "") -> None:
        """Store the errno and a human explanation (never sent on the wire)."""
        super().__init__(f"errno {errno}: {message}" if message else f"errno {errno}")
        self.errno = str(errno)


def success(**payload: Any) -> dict[str, Any]:
    """Return a success body with its payload."""
    return {"status": "Success", **payload}


def failure(errno: str) -> dict[str, Any]:
    """Return a failure body."""
    return {"status": "Failed", "errno": str(errno)}


def json_response(body: dict[str, Any]) -> web.Response:
    """Return a PBX answer: HTTP 200, compact JSON, the Boa headers, connection closed."""
    response = web.Response(
        body=json.dumps(body, separators=(",", ":")).encode(),
        headers={**PBX_HEADERS, "Content-Type": "application/json"},
    )
    response.force_close()
    return response


def disabled_response() -> web.Response:
    """Return the web server's answer while the API is switched off: 404 with an HTML page."""
    response = web.Response(
        status=404,
        text=DISABLED_PAGE,
        content_type="text/html",
        headers={"Server": SERVER_SOFTWARE, "Connection": "close"},
    )
    response.force_close()
    return response


def as_text(value: Any) -> str:
    """Return a request value as the string the PBX works with (numbers accepted)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_body(raw: bytes) -> dict[str, Any]:
    """Return the JSON object of a request body with scalar values as strings.

    An empty body is an empty object; XML gives 10002, anything else that is not a JSON
    object gives 20000.
    """
    text = raw.decode("utf-8", errors="replace").strip()
    if not text:
        return {}
    if text.startswith("<"):
        raise ApiError(Errno.XML_NOT_SUPPORTED, "XML body")
    try:
        data = json.loads(text)
    except ValueError as err:
        raise ApiError(Errno.ONLY_JSON, "body is not JSON") from err
    if not isinstance(data, dict):
        raise ApiError(Errno.ONLY_JSON, "body is not a JSON object")
    return {
        str(key): value if isinstance(value, list | dict) else as_text(value)
        for key, value in data.items()
    }


def require(body: dict[str, Any], *names: str) -> list[str]:
    """Return the named parameters, raising 10004 when one is missing or blank."""
    values = [as_text(body.get(name)) for name in names]
    missing = [name for name, value in zip(names, values, strict=True) if not value]
    if missing:
        raise ApiError(Errno.MISSING_PARAMETER, f"missing {', '.join(missing)}")
    return values
