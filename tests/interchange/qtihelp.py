"""Helpers for the QTI tests: packages made by hand, and the fixture bank."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
import yaml

from quizapp.banks.schema import Bank
from quizapp.interchange.common import Deadline
from quizapp.scoring import score
from tests.interchange.strategies import responses

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "all-types.yaml"


def fixture_bank() -> Bank:
    return Bank.model_validate(yaml.safe_load(FIXTURE.read_text(encoding="utf-8")))


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def make_zip(files: dict[str, bytes | str], *, stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)),
                             content.encode("utf-8") if isinstance(content, str) else content,
                             compress_type=method)
    return buffer.getvalue()


class CountingDeadline(Deadline):
    """A deadline that passes after ``checks`` checks, whatever the clock says."""

    def __init__(self, checks: int) -> None:
        super().__init__()
        self.left = checks

    def check(self) -> None:
        self.left -= 1
        if self.left < 0:
            self.seconds = 0
            self.end = float("-inf")
        super().check()


def without_our_comments(package: bytes) -> bytes:
    """The package with every ``<!-- quizapp... -->`` comment taken out, as another system would
    pass it on (a metadata comment holds no "--", so it ends at the first "-->")."""
    files = unzip(package)
    return make_zip({name: re.sub(rb"<!-- quizapp.*?-->", b"", data, flags=re.S)
                     for name, data in files.items()})


def assert_scores_alike_by_position(before: Bank, after: Bank) -> None:
    """Every response scores the same share of the points, question by question in order
    (ids and points may differ when no metadata comment brought them back)."""
    assert len(after.questions) == len(before.questions)
    for old, new in zip(before.questions, after.questions, strict=True):
        assert new.type == old.type, old.id
        for response in responses(old):
            a, b = score(old, response), score(new, response)
            assert (a.score / a.points, a.correct) == (pytest.approx(b.score / b.points), b.correct), (
                old.id, old.type, response, a, b)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="x">&lol4;</assessmentItem>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE item [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="x">&secret;</assessmentItem>
"""
