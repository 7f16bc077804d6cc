"""Async client library for the Yeastar S-Series PBX API 2.0.0 (no Home Assistant imports).

Written as a separate library would be (like python-elgato for the elgato integration):
an injected ``aiohttp.ClientSession``, typed frozen models, typed errors. This module is
its public API:

- ``YeastarClient``: every endpoint, owning the API token under the login discipline;
  ``ReportDestination``: where the PBX must post its reports;
- the models of what the API returns (``SystemInfo``, ``Extension``, ``Trunk``, ``Call``,
  ``Cdr``, ``CompanyContact`` ...) and of the reports it pushes (``Report`` and its
  kinds, ``parse_report``, ``report_fingerprint``, ``same_report``);
- ``CallTracker``: the calls in progress, from the reports, and what happens in them
  (``CallActivity``, ``ActiveCall``); ``hang_up_call``/``hang_up_extension``: ending calls;
- the errors (``YeastarError`` and its kinds) and certificate helpers.
"""

from .activity import ActiveCall, ActivityKind, CallActivity, CallDirection, CallState
from .auth import ReportDestination
from .callmodels import (
    Call,
    CallMember,
    CallType,
    Cdr,
    CdrStatus,
    MemberKind,
    MemberStatus,
)
from .calls import CallTracker
from .cdr import parse_cdr_csv
from .client import YeastarClient
from .errors import (
    YeastarApiDisabledError,
    YeastarApiError,
    YeastarAuthenticationError,
    YeastarCertificateError,
    YeastarCertificateMismatchError,
    YeastarConnectionError,
    YeastarError,
    YeastarHostNotFoundError,
    YeastarLockedOutError,
    YeastarReportError,
    YeastarTokenError,
    YeastarTokenRefusedError,
    YeastarUntrustedCertificateError,
    describe_errno,
)
from .events import (
    EVENT_TYPES,
    BootUpReport,
    CallFailedReport,
    CallReport,
    CallStatusReport,
    ConfigChangeReport,
    DtmfReport,
    ExtensionStatusReport,
    InviteReport,
    NewCdrReport,
    PlayPromptEndReport,
    Report,
    UnknownReport,
    is_shallow,
    parse_report,
    report_fingerprint,
    same_report,
)
from .hangup import hang_up_call, hang_up_extension
from .models import (
    CompanyContact,
    ContactNumber,
    ContactNumberKind,
    Extension,
    ExtensionSettings,
    LoginResult,
    SystemInfo,
    Trunk,
)
from .tls import (
    fetch_certificate_fingerprint,
    format_fingerprint,
    normalise_fingerprint,
)

__all__ = [
    "EVENT_TYPES",
    "ActiveCall",
    "ActivityKind",
    "BootUpReport",
    "Call",
    "CallActivity",
    "CallDirection",
    "CallFailedReport",
    "CallMember",
    "CallReport",
    "CallState",
    "CallStatusReport",
    "CallTracker",
    "CallType",
    "Cdr",
    "CdrStatus",
    "CompanyContact",
    "ConfigChangeReport",
    "ContactNumber",
    "ContactNumberKind",
    "DtmfReport",
    "Extension",
    "ExtensionSettings",
    "ExtensionStatusReport",
    "InviteReport",
    "LoginResult",
    "MemberKind",
    "MemberStatus",
    "NewCdrReport",
    "PlayPromptEndReport",
    "Report",
    "ReportDestination",
    "SystemInfo",
    "Trunk",
    "UnknownReport",
    "YeastarApiDisabledError",
    "YeastarApiError",
    "YeastarAuthenticationError",
    "YeastarCertificateError",
    "YeastarCertificateMismatchError",
    "YeastarClient",
    "YeastarConnectionError",
    "YeastarError",
    "YeastarHostNotFoundError",
    "YeastarLockedOutError",
    "YeastarReportError",
    "YeastarTokenError",
    "YeastarTokenRefusedError",
    "YeastarUntrustedCertificateError",
    "describe_errno",
    "fetch_certificate_fingerprint",
    "format_fingerprint",
    "hang_up_call",
    "hang_up_extension",
    "is_shallow",
    "normalise_fingerprint",
    "parse_cdr_csv",
    "parse_report",
    "report_fingerprint",
    "same_report",
]
