"""`quizapp export` and `quizapp import`, as a teacher runs them (api.md, "Interchange")."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import yaml

from tests.test_cli import SEEDS, bank_file, run


def test_export_to_gift_then_import_and_validate(tmp_path: Path) -> None:
    source = bank_file(tmp_path)
    out = tmp_path / "bank.gift.txt"
    exported = run("export", str(source), "--format", "gift", "-o", str(out), "--seeds", str(SEEDS))
    assert exported.exit_code == 0, exported.output
    # the one type GIFT lacks is said on standard error, never silently lost
    assert "question 'order': GIFT has no ordering type" in exported.stderr
    assert out.read_text().count("::") >= 14
    back = tmp_path / "back.yaml"
    imported = run("import", str(out), "--format", "gift", "--id", "back-again", "--title", "Back",
                   "-o", str(back), "--seeds", str(SEEDS))
    assert imported.exit_code == 0, imported.output
    assert "7 question(s), valid" in imported.stderr
    data = yaml.safe_load(back.read_text())
    assert (data["id"], data["title"]) == ("back-again", "Back")
    assert [q["type"] for q in data["questions"]] == ["single", "multiple", "true_false", "short",
                                                      "numeric", "ordering", "matching"]
    assert run("validate", "--seeds", str(SEEDS), str(back)).exit_code == 0


def test_export_to_standard_output_and_as_a_package(tmp_path: Path) -> None:
    source = bank_file(tmp_path)
    text = run("export", str(source), "--format", "yaml", "--seeds", str(SEEDS))
    assert text.stdout == source.read_text()
    package = run("export", str(source), "--format", "qti21", "--seeds", str(SEEDS))
    assert "imsmanifest.xml" in zipfile.ZipFile(io.BytesIO(package.stdout_bytes)).namelist()


def test_an_invalid_bank_is_not_exported(tmp_path: Path) -> None:
    source = bank_file(tmp_path, "format: 1\nid: x\ntitle: X\nquestions: []\n")
    result = run("export", str(source), "--format", "gift", "--seeds", str(SEEDS))
    assert result.exit_code == 1
    assert "nothing was exported" in result.stderr and "at least 1" in result.stderr
    assert not result.stdout


def test_a_broken_gift_file_prints_every_problem_at_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gift"
    broken.write_text("Fine?{T}\n\nBroken?{=A ~B\n\nMatch.{=a -> b =c d}\n")
    result = run("import", str(broken), "--format", "gift", "--id", "x", "--title", "X")
    assert result.exit_code == 1
    assert f"{broken}:3:8: '{{' is never closed" in result.stderr
    assert f"{broken}:5:" in result.stderr and "no '->'" in result.stderr
    assert "2 problem(s); nothing was imported" in result.stderr
    assert "Traceback" not in result.output


def test_the_new_banks_id_must_be_a_slug(tmp_path: Path) -> None:
    gift = tmp_path / "q.gift"
    gift.write_text("A?{T}")
    result = run("import", str(gift), "--format", "gift", "--id", "Not A Slug", "--title", "X")
    assert result.exit_code == 2 and "--id" in result.stderr
