"""How long exports and imports take, for a large bank and for files made to be costly.

    .venv/bin/python bench/interchange.py

Prints one line per case: the input's size, the best of three runs, and what came of it.
A bank of 1,000 questions (the most a file may hold) goes out to and back from every
format; then GIFT and QTI files built to make a reader work hard are imported, each of
which must end well within the import's 5-second limit.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from typing import Any

from quizapp.banks.schema import Bank
from quizapp.interchange import ImportFailed, export_bank, import_bank


def big_bank(count: int = 1000) -> Bank:
    kinds = [
        {"type": "single", "choices": ["Alpha", "Beta", "Gamma", "Delta"], "answer": "Beta",
         "feedback": {"Alpha": "Not this one."}},
        {"type": "multiple", "choices": ["UK", "Canada", "France", "Colombia"], "answer": ["UK", "Colombia"]},
        {"type": "true_false", "answer": True},
        {"type": "short", "answer": ["Emily Harding", "Harding"]},
        {"type": "numeric", "answer": 2017, "tolerance": 1},
        {"type": "ordering", "items": ["first", "second", "third"], "partial": True},
        {"type": "matching", "pairs": {"MI5": "domestic", "MI6": "foreign"}, "distractors": ["police"]},
    ]
    questions = [{"id": f"q{n}", "prompt": f"Question {n}: which one, and why?",
                  "explanation": f"Because of paragraph {n % 18 + 1}.", "skill": "recall",
                  **kinds[n % len(kinds)]} for n in range(count)]
    return Bank.model_validate({"format": 1, "id": "big", "title": "A big bank", "questions": questions})


def timed(run: Callable[[], Any]) -> tuple[float, str]:
    best, outcome = float("inf"), ""
    for _ in range(3):
        start = time.perf_counter()
        try:
            outcome = run()
        except ImportFailed as failed:
            outcome = f"refused: {failed.problems[-1].message[:70]}"
        best = min(best, time.perf_counter() - start)
    return best, outcome


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def costly_qti(choices: int) -> bytes:
    ns = "http://www.imsglobal.org/xsd/imsqti_v2p1"
    simple = "".join(f'<simpleChoice identifier="c{i}">C{i}</simpleChoice>' for i in range(choices))
    modal = "".join(f'<modalFeedback outcomeIdentifier="FEEDBACK" identifier="c{i}" showHide="show">F'
                    f"</modalFeedback>" for i in range(choices))
    item = (f'<assessmentItem xmlns="{ns}" identifier="q" title="q" adaptive="false" timeDependent="false">'
            '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">'
            '<correctResponse><value>c0</value></correctResponse></responseDeclaration>'
            f'<itemBody><choiceInteraction responseIdentifier="RESPONSE" maxChoices="1">{simple}'
            f'</choiceInteraction></itemBody>{modal}</assessmentItem>')
    manifest = ('<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m"><organizations/>'
                '<resources><resource identifier="r" type="imsqti_item_xmlv2p1" href="q.xml">'
                '<file href="q.xml"/></resource></resources></manifest>')
    return zip_of({"imsmanifest.xml": manifest.encode(), "q.xml": item.encode()})


def main() -> None:
    bank = big_bank()
    print(f"{'case':52} {'input':>10} {'best of 3':>10}  outcome")
    for fmt in ("gift", "qti21", "canvas"):
        seconds, exported = timed(lambda fmt=fmt: export_bank(bank, fmt))
        print(f"{'export 1,000 questions to ' + fmt:52} {'':>10} {seconds:9.3f}s  "
              f"{len(exported.content) / 1024:,.0f} KiB")
        seconds, outcome = timed(lambda fmt=fmt, data=exported.content: len(
            import_bank(data, fmt, bank_id="big", title="Big").yaml))
        print(f"{'import them back, and write the YAML':52} {len(exported.content) / 1024:8.0f}KiB "
              f"{seconds:9.3f}s  {outcome:,} characters of YAML")
    costly = {
        "GIFT: one question with 340,000 answers": ("gift", ("Q{=x " + "~a " * 340_000 + "}").encode()),
        "GIFT: 262,000 unclosed braces": ("gift", b"Q{\n\n" * 262_000),
        "GIFT: 300,000 escaped backslashes": ("gift", ("Q\\\\" * 300_000 + "{T}").encode()),
        "QTI: one item, 12,000 choices and feedbacks": ("qti21", costly_qti(12_000)),
    }
    for name, (fmt, data) in costly.items():
        seconds, outcome = timed(lambda fmt=fmt, data=data: "read: " + str(len(
            import_bank(data, fmt, bank_id="x", title="X").data["questions"])) + " question(s)")
        print(f"{name:52} {len(data) / 1024:8.0f}KiB {seconds:9.3f}s  {outcome}")


if __name__ == "__main__":
    main()
