"""Number matching and the name book (names.py): every form a number comes in."""

import pytest

from custom_components.yeastar.names import NameBook, calling_code, number_key


@pytest.mark.parametrize(
    ("number", "code", "key"),
    [
        ("06-1234 5678", "31", "31612345678"),
        ("+31 6 12345678", "31", "31612345678"),
        ("0031612345678", "31", "31612345678"),
        ("(06) 12.34.56.78", "31", "31612345678"),
        ("+44 20 7946 0958", "31", "442079460958"),  # another country stays its own
        ("1000", "31", "1000"),  # extensions and short numbers as they are
        ("112", "31", "112"),
        ("0800", "31", "0800"),  # too short to be a national number
        ("06 1234 5678", "", "0612345678"),  # no calling code: national form kept
        ("*72#", "31", "*72#"),
        ("212-555-0101", "1", "12125550101"),  # North America: ten digits
        ("1 212 555 0101", "1", "12125550101"),
        ("555-0101", "1", "5550101"),
        ("06 1234 5678", "39", "390612345678"),  # Italy keeps its leading 0
    ],
)
def test_number_key(number: str, code: str, key: str) -> None:
    """Separators go, international prefixes meet the national form."""
    assert number_key(number, code) == key


def test_calling_code() -> None:
    """Home Assistant's country (ISO 3166) gives the calling code; unknown gives none."""
    assert calling_code("NL") == "31"
    assert calling_code("us") == "1"
    assert calling_code(None) == ""
    assert calling_code("XX") == ""


def test_name_book_sources_and_precedence() -> None:
    """The phone book wins over extensions, extensions over contacts."""
    book = NameBook()
    book.rebuild(
        code="31",
        phone_book={"+31 6 12345678": "Plumber", "  ": "nobody", "0201234567": ""},
        extensions={"1000": "Reception", "1001": "1001", "1002": ""},
        contacts=[
            ("0612345678", "Piet"),
            ("1000", "Front desk contact"),
            ("020 555 0101", "Bakery"),
            ("020 555 0101", "Second bakery"),
            ("", "No number"),
        ],
    )
    assert book.describe("0612345678") == "Plumber (0612345678)"
    assert book.name_of("00 31 6 1234 5678") == "Plumber"
    assert book.describe("1000") == "Reception (1000)"
    assert book.describe("1001") == "1001"  # a name that is its number is no name
    assert book.name_of("1002") is None
    assert book.name_of("+31205550101") == "Bakery"  # the first contact with it
    assert book.name_of("0201234567") is None
    assert book.name_of("") is None
    assert book.describe("") == ""


def test_name_book_rebuild_forgets() -> None:
    """A rebuild replaces every name: a removed entry is no longer known."""
    book = NameBook()
    book.rebuild(code="31", phone_book={"112": "Emergency"}, extensions={}, contacts=[])
    assert book.name_of("112") == "Emergency"
    book.rebuild(code="31", phone_book={}, extensions={}, contacts=[])
    assert book.name_of("112") is None
