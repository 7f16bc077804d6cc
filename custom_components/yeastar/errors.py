"""The client's errors in Home Assistant's terms: the one mapping.

Set-up, the poll, the actions and the config flow each need the same question answered
(what went wrong, in which words) in a different exception or form error; ``problem``
answers it once, and the functions below dress the answer for each caller.
"""

from dataclasses import dataclass, field

from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryError,
    ConfigEntryNotReady,
    HomeAssistantError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed

from .backoff import LoginsWaiting
from .const import DOMAIN
from .pbx import (
    YeastarApiDisabledError,
    YeastarApiError,
    YeastarAuthenticationError,
    YeastarCertificateError,
    YeastarConnectionError,
    YeastarLockedOutError,
    YeastarTokenError,
    YeastarTokenRefusedError,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """What went wrong: a translation key (``exceptions`` in en.json) and its words."""

    key: str
    placeholders: dict[str, str] = field(default_factory=dict)

    def as_error[ErrorT: HomeAssistantError](self, kind: type[ErrorT]) -> ErrorT:
        """Return a translated Home Assistant exception of a kind that says this."""
        return kind(
            translation_domain=DOMAIN,
            translation_key=self.key,
            translation_placeholders=self.placeholders,
        )


def problem(err: Exception) -> Problem:
    """Return what a client error (or a login back-off) means for the user."""
    match err:
        case LoginsWaiting(backoff=backoff):
            return Problem(backoff.reason, {"minutes": str(backoff.minutes_left())})
        case YeastarAuthenticationError():
            return Problem("authentication_error")
        case YeastarCertificateError():
            return Problem("certificate_changed")
        case YeastarApiDisabledError():
            return Problem("api_disabled")
        case YeastarConnectionError():
            return Problem("communication_error", {"error": str(err)})
    return Problem("unknown_error", {"error": str(err)})


def setup_error(
    err: Exception,
) -> ConfigEntryAuthFailed | ConfigEntryError | ConfigEntryNotReady:
    """Return the exception that stops a set-up: to retry, to reauthenticate, or not."""
    cause = problem(err)
    if isinstance(err, YeastarAuthenticationError):
        return cause.as_error(ConfigEntryAuthFailed)
    if isinstance(err, YeastarCertificateError):
        # Not retried: only the user can decide to trust another certificate.
        return cause.as_error(ConfigEntryError)
    return cause.as_error(ConfigEntryNotReady)


def update_error(err: Exception) -> ConfigEntryAuthFailed | UpdateFailed:
    """Return the exception that fails a poll (entities unavailable, or reauth)."""
    cause = problem(err)
    if isinstance(err, YeastarAuthenticationError):
        return cause.as_error(ConfigEntryAuthFailed)
    return cause.as_error(UpdateFailed)


def action_error(
    err: Exception,
    refused_key: str,
    placeholders: dict[str, str],
    explained: dict[str, str] | None = None,
) -> HomeAssistantError:
    """Return the error of an action: the PBX's refusal in words, or what went wrong.

    A refusal uses ``refused_key`` with ``placeholders`` plus the errno and its meaning
    (from ``explained`` by errno when given, else the PBX's).
    """
    if isinstance(err, YeastarApiError) and not isinstance(
        err,
        YeastarAuthenticationError
        | YeastarLockedOutError
        | YeastarTokenError
        | YeastarTokenRefusedError,
    ):
        reason = (explained or {}).get(err.errno, err.meaning)
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=refused_key,
            translation_placeholders=placeholders
            | {"errno": err.errno, "reason": reason},
        )
    return problem(err).as_error(HomeAssistantError)


def flow_error(err: Exception) -> str:
    """Return the config flow's error key for a failed connection attempt."""
    match err:
        case YeastarConnectionError():
            return "cannot_connect"
        case YeastarApiDisabledError():
            return "api_disabled"
        case YeastarAuthenticationError():
            return "invalid_auth"
        case YeastarLockedOutError():
            return "locked_out"
    return "unknown"
