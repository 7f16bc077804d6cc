"""Errno descriptions and the error classes chosen for them."""

import pytest

from custom_components.yeastar.pbx.errors import (
    ERRNO_MEANINGS,
    YeastarApiError,
    YeastarAuthenticationError,
    YeastarCertificateError,
    YeastarCertificateMismatchError,
    YeastarConnectionError,
    YeastarError,
    YeastarLockedOutError,
    YeastarReportError,
    YeastarTokenError,
    YeastarUntrustedCertificateError,
    api_error_for,
    describe_errno,
)


@pytest.mark.parametrize(
    ("errno", "meaning"),
    [
        ("10008", "the extension is not idle"),
        ("10024", "the extension has no outbound call permission"),
        (
            "20002",
            "login blocked: this address is locked out after repeated failed logins",
        ),
        ("20006", "the API token timed out"),
        ("10042", "a trunk or route parameter is invalid"),
        ("10082", "a trunk or route parameter is invalid"),
        ("10041", "unknown PBX error 10041"),
        ("10083", "unknown PBX error 10083"),
        ("abc", "unknown PBX error abc"),
        ("", "unknown PBX error "),
    ],
)
def test_describe_errno(errno: str, meaning: str) -> None:
    """Known errnos in words, the trunk range grouped, others named unknown."""
    assert describe_errno(errno) == meaning


def test_every_section_six_errno_is_described() -> None:
    """Every errno of the reference's table has its own words."""
    documented = {f"{n}" for n in range(10002, 10034)} | {"10110"}
    documented |= {f"{n}" for n in range(20000, 20022)} | {"30001", "30003"}
    assert documented <= set(ERRNO_MEANINGS)
    assert all(meaning for meaning in ERRNO_MEANINGS.values())


@pytest.mark.parametrize(
    ("errno", "error_class"),
    [
        ("20003", YeastarAuthenticationError),
        ("20002", YeastarLockedOutError),
        ("20004", YeastarTokenError),
        ("20005", YeastarTokenError),
        ("20006", YeastarTokenError),
        ("10008", YeastarApiError),
        ("99999", YeastarApiError),
    ],
)
def test_api_error_for(errno: str, error_class: type[YeastarApiError]) -> None:
    """Each errno gets the most specific class, with errno, endpoint and meaning."""
    error = api_error_for(errno, "call/dial")
    assert type(error) is error_class
    assert error.errno == errno
    assert error.endpoint == "call/dial"
    assert error.meaning == describe_errno(errno)
    assert str(error) == f"PBX error {errno} (call/dial): {describe_errno(errno)}"


def test_api_error_without_endpoint() -> None:
    """Without an endpoint the message leaves it out."""
    error = api_error_for("10006")
    assert error.endpoint == ""
    assert str(error) == "PBX error 10006: the extension does not exist"


def test_hierarchy() -> None:
    """Callers can catch by what they have to decide."""
    untrusted = YeastarUntrustedCertificateError("untrusted", fingerprint=None)
    mismatch = YeastarCertificateMismatchError("changed", fingerprint="ab" * 32)
    assert isinstance(untrusted, YeastarCertificateError)
    assert isinstance(mismatch, YeastarConnectionError)
    assert untrusted.fingerprint is None
    assert mismatch.fingerprint == "ab" * 32
    assert str(mismatch) == "changed"
    assert isinstance(YeastarReportError("bad"), ValueError)
    for error in (untrusted, mismatch, YeastarReportError("bad"), api_error_for("1")):
        assert isinstance(error, YeastarError)
