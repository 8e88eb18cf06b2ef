"""What every package import goes through: zips checked before anything is unpacked, XML read
without entities, DTDs or external references, and the CLI's messages for a bad file."""

from __future__ import annotations

import io
import os
import struct
import zipfile

import pytest

from quizapp.interchange import common
from quizapp.interchange.common import (
    MAX_MEMBER_BYTES,
    MAX_ZIP_MEMBERS,
    ImportFailed,
    parse_xml,
    read_zip,
    write_zip,
)


def zip_of(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=compression)
    return buffer.getvalue()


def refused(data: bytes) -> str:
    with pytest.raises(ImportFailed) as failed:
        read_zip(data)
    problem = failed.value.problems[0]
    return f"{problem.item}: {problem.message}"


@pytest.mark.parametrize("name", ["../evil.xml", "items/../../evil.xml", "/etc/passwd", "\\windows\\x.xml",
                                  "C:/x.xml", "..\\evil.xml"])
def test_zip_slip_is_refused(name):
    """A member whose name leads outside the package is never unpacked."""
    assert "outside the package" in refused(zip_of({"imsmanifest.xml": b"<x/>", name: b"<x/>"}))


def test_a_compression_bomb_is_refused_before_it_is_unpacked():
    """A megabyte of zeros packs into about a kilobyte: a ratio no question file has."""
    assert "compression bomb" in refused(zip_of({"item.xml": b"\0" * MAX_MEMBER_BYTES}))


def test_xml_nested_deeper_than_any_question_is_refused():
    with pytest.raises(ImportFailed) as failed:
        parse_xml(b"<a>" * 5000 + b"x" + b"</a>" * 5000, "items/deep.xml")
    assert "nested more than 100" in failed.value.problems[0].message


def test_a_member_larger_than_its_limit_is_refused(monkeypatch):
    monkeypatch.setattr(common, "MAX_MEMBER_BYTES", 1000)
    assert "larger than" in refused(zip_of({"item.xml": os.urandom(5000)}, zipfile.ZIP_STORED))


def test_a_zip_directory_that_understates_a_size_cannot_slip_a_large_file_through(monkeypatch):
    """The sizes a zip's directory gives are the uploader's word: the reader stops at its limit."""
    monkeypatch.setattr(common, "MAX_MEMBER_BYTES", 1000)
    data = bytearray(zip_of({"item.xml": os.urandom(5000)}))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local and central headers
        at = data.index(signature) + offset
        assert struct.unpack_from("<I", data, at)[0] == 5000
        struct.pack_into("<I", data, at, 10)
    assert any(words in refused(bytes(data)) for words in ("cannot be unpacked", "larger than"))


def test_too_many_members_are_refused():
    files = {f"item{n}.xml": b"<x/>" for n in range(MAX_ZIP_MEMBERS + 1)}
    assert "more than" in refused(zip_of(files, zipfile.ZIP_STORED))


def test_not_a_zip_is_a_clear_message():
    assert "not a zip" in refused(b"PK\x03\x04 but not really")


def test_a_package_round_trips_through_the_writer_byte_for_byte():
    files = {"imsmanifest.xml": b"<manifest/>", "items/q1.xml": "<q>é</q>".encode()}
    data = write_zip(files)
    assert read_zip(data) == files
    assert write_zip(files) == data  # the same files, the same bytes (fixed times)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<foo>&xxe;</foo>"""

DTD_ONLY = b"""<?xml version="1.0"?>
<!DOCTYPE assessmentItem SYSTEM "http://example.com/qti.dtd">
<assessmentItem/>"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL, DTD_ONLY], ids=["laughs", "xxe", "dtd"])
def test_xml_with_entities_or_a_dtd_is_refused(document):
    with pytest.raises(ImportFailed) as failed:
        parse_xml(document, "items/q1.xml")
    problem = failed.value.problems[0]
    assert problem.item == "items/q1.xml" and "refused" in problem.message


def test_xml_that_is_not_well_formed_names_its_line():
    with pytest.raises(ImportFailed) as failed:
        parse_xml(b"<a>\n<b>\n</a>", "items/q2.xml")
    problem = failed.value.problems[0]
    assert (problem.item, problem.line) == ("items/q2.xml", 3)
    assert "not well-formed" in problem.message
