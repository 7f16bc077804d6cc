"""Errors raised by the Yeastar S-Series API client.

The hierarchy mirrors what a caller has to decide:

- ``YeastarConnectionError``: the PBX could not be reached or did not answer in time
  (network, timeout, TLS). Retrying later may help. ``YeastarHostNotFoundError``: its
  host name does not resolve.
- ``YeastarCertificateError``: HTTPS verification failed; the caller may offer to trust
  the certificate (``YeastarUntrustedCertificateError``) or must tell the user that a
  pinned certificate changed (``YeastarCertificateMismatchError``).
- ``YeastarApiDisabledError``: something answered, but not the PBX API (switched off,
  wrong port, or another web server).
- ``YeastarApiError``: the API answered ``{"status": "Failed", "errno": ...}``; its
  subclasses single out the errnos a caller must treat specially.
"""

ERRNO_MEANINGS: dict[str, str] = {
    "10002": "XML packet format is not supported",
    "10003": "unsupported API request",
    "10004": "a required parameter is missing or blank",
    "10005": "the call ID does not exist",
    "10006": "the extension does not exist",
    "10007": "the call does not exist",
    "10008": "the extension is not idle",
    "10009": "the extension may not be monitored",
    "10010": "the monitor mode does not allow this",
    "10011": "the called number does not exist",
    "10012": "the IVR does not exist",
    "10013": "the queue does not exist",
    "10014": "the ring group does not exist",
    "10015": "the call is not connected",
    "10016": "the window to accept or refuse the inbound call has expired",
    "10017": "the extension configuration failed",
    "10018": "the IVR configuration failed",
    "10019": "the queue configuration failed",
    "10020": "adding or modifying the wake-up alarm failed",
    "10021": "the alarm does not exist",
    "10022": "the alarm already exists",
    "10023": "the audio prompt file does not exist",
    "10024": "the extension has no outbound call permission",
    "10025": "configuration applied too frequently; try again shortly",
    "10026": "the GSM module does not exist",
    "10027": "the GSM module is busy or none is idle",
    "10028": "the SMS number is blank",
    "10029": "the SMS file could not be opened",
    "10030": "the SMS content is blank",
    "10031": "the callee number is invalid",
    "10032": "wrong password",
    "10033": "saving the extension's outbound route failed",
    "10110": "the conference room does not exist",
    "20000": "only JSON is supported",
    "20001": "only POST is supported",
    "20002": "login blocked: this address is locked out after repeated failed logins",
    "20003": "login failed: wrong username or password",
    "20004": "the API token is unknown or expired",
    "20005": "the API token is blank",
    "20006": "the API token timed out",
    "20007": "the request data is blank",
    "20008": "wrong port",
    "20009": "blank request",
    "20010": "forwarding to the PBX's internal API service failed",
    "20011": "the heartbeat configuration failed",
    "20012": "the recording download random is invalid",
    "20013": "wrong captcha",
    "20014": "the recording does not exist",
    "20015": "the allowed IP is wrong",
    "20016": "the voicemail status parameter is wrong",
    "20017": "the voicemail download random is invalid",
    "20018": "the voice file does not exist",
    "20019": "the CDR time format is wrong",
    "20020": "the CDR download random is invalid",
    "20021": "the CDR does not exist",
    "30001": "internal PBX API error",
    "30003": "the PBX API service is not started",
}

ERRNO_LOCKED_OUT = "20002"
ERRNO_INVALID_AUTH = "20003"
TOKEN_ERRNOS = frozenset({"20004", "20005", "20006"})


def describe_errno(errno: str) -> str:
    """Return the meaning of a PBX errno in words."""
    if (meaning := ERRNO_MEANINGS.get(errno)) is not None:
        return meaning
    if errno.isdigit() and 10042 <= int(errno) <= 10082:
        return "a trunk or route parameter is invalid"
    return f"unknown PBX error {errno}"


class YeastarError(Exception):
    """Base class of every error of the Yeastar client."""


class YeastarConnectionError(YeastarError):
    """The PBX could not be reached, timed out, or the TLS handshake failed."""


class YeastarHostNotFoundError(YeastarConnectionError):
    """The PBX's host name does not resolve to an address."""


class YeastarCertificateError(YeastarConnectionError):
    """The PBX's HTTPS certificate could not be trusted."""

    def __init__(self, message: str, fingerprint: str | None) -> None:
        """Keep the SHA-256 fingerprint of the certificate the PBX presented."""
        super().__init__(message)
        self.fingerprint = fingerprint


class YeastarUntrustedCertificateError(YeastarCertificateError):
    """The certificate is not signed by a trusted CA (e.g. the PBX's self-signed one)."""


class YeastarCertificateMismatchError(YeastarCertificateError):
    """The certificate differs from the pinned fingerprint."""


class YeastarApiDisabledError(YeastarError):
    """Something answered, but not the PBX API (API switched off or wrong port)."""


class YeastarReportError(YeastarError, ValueError):
    """An event report body is not a JSON object."""


class YeastarApiError(YeastarError):
    """The PBX answered a request with ``status: Failed``."""

    def __init__(self, errno: str, endpoint: str = "") -> None:
        """Store the errno and its meaning."""
        self.errno = errno
        self.endpoint = endpoint
        self.meaning = describe_errno(errno)
        where = f" ({endpoint})" if endpoint else ""
        super().__init__(f"PBX error {errno}{where}: {self.meaning}")


class YeastarAuthenticationError(YeastarApiError):
    """The username or password is wrong (errno 20003)."""


class YeastarLockedOutError(YeastarApiError):
    """The PBX blocked this address for 10 minutes after 5 failed logins (errno 20002)."""


class YeastarTokenError(YeastarApiError):
    """The token is unknown, blank or expired (errno 20004, 20005, 20006)."""


class YeastarTokenRefusedError(YeastarApiError):
    """The PBX refused a token it had just issued, or tokens keep ending while in use.

    Logging in again would only repeat it (another client may be using the same API
    account, and each login ends the other's token): the client does not log in by
    itself until told to with ``login()``.
    """


def api_error_for(errno: str, endpoint: str = "") -> YeastarApiError:
    """Return the most specific error class for a PBX errno."""
    if errno == ERRNO_INVALID_AUTH:
        return YeastarAuthenticationError(errno, endpoint)
    if errno == ERRNO_LOCKED_OUT:
        return YeastarLockedOutError(errno, endpoint)
    if errno in TOKEN_ERRNOS:
        return YeastarTokenError(errno, endpoint)
    return YeastarApiError(errno, endpoint)
