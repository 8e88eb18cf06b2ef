"""Teacher reports: every statistic checked against figures worked out by hand.

The class below sits the all-types bank (7 questions, 9 points). Its best
attempts give this matrix of marks, from which every expected figure in this
file is computed in the comments (never by calling the code under test):

    question   dni  curtailed  five-eyes  analyst  year  order  agencies | total
    points      1       3          1         1       1     1       1     |   9
    skill     recall  recall    context  attribution recall sourcing context
    Ann         1       3          1         1       1     1       1     |   9
    Ben         0       2          1         1       1     0      0.5    |  5.5
    Cat         0       0          0         1       1     1       1     |   4
    Dan         1       0          1         0       1     0      0.5    |  3.5
    Eve         0       3          0         0       1     1       1     |   6
    Fay      (started, never finished: no row in the statistics)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest

from quizapp.models import Assignment, Classroom
from quizapp.services import accounts, classes, quiz
from quizapp.services.reports import (
    DISCRIMINATION_MIN_ATTEMPTS,
    assignment_report,
    cronbach_alpha,
    csv_cell,
    grid_csv,
    pearson,
)
from tests.conftest import FIXTURES, load_banks, make_account

T0 = dt.datetime(2026, 3, 1, 9, 0)
KEYS = ["dni", "curtailed", "five-eyes-founded", "analyst", "year", "order", "agencies"]


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


RIGHT: dict[str, Any] = {
    "dni": "Tulsi Gabbard",
    "curtailed": ["United Kingdom", "Colombia", "Netherlands"],
    "five-eyes-founded": False,
    "analyst": "Emily Harding",
    "year": "2017",
    "order": ["CNN", "New York Times", "The Atlantic"],
    "agencies": {"MI5": "United Kingdom", "FBI": "United States"},
}


def sit(student, assignment: Assignment | None, responses: dict[str, Any], when: dt.datetime, *,
        finish: bool = True):
    """An attempt with these responses (questions not named stay unanswered)."""
    attempt = quiz.start_attempt(student.id, "all-types",
                                 assignment_id=assignment.id if assignment else None, now=when)
    attempt = quiz.load_attempt(attempt.id, student.id, now=when)
    for key, response in responses.items():
        quiz.answer_question(attempt, quiz.item_for(attempt, key), response, now=when)
    return quiz.finish_attempt(attempt, now=when) if finish else attempt


@pytest.fixture
def room(app, all_types) -> tuple[Classroom, Assignment, dict[str, Any]]:
    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Period 3")
    assignment = classes.create_assignment(room, "all-types", due_at=at(6))
    other = classes.create_assignment(room, "all-types")
    people = {n: make_account(n.lower()) for n in ("Ann", "Ben", "Cat", "Dan", "Eve", "Fay", "Gus")}
    for student in people.values():
        classes.join(student, room.join_code)

    # Ann: everything right, but after the due time (09:10 > 09:06): late. 9 points.
    sit(people["Ann"], assignment, RIGHT, at(10))
    # ... and on her own, outside the assignment: must not count.
    sit(people["Ann"], None, {"dni": "Kash Patel"}, at(11))
    # Ben: a first try with only dni right (1 point), then his best at 09:05:
    # 0 + (2 right - 0 wrong)/3*3 = 2 + 1 + 1 (a second accepted answer) + 1 + 0 + 1/2 pairs = 5.5
    sit(people["Ben"], assignment, {"dni": "Tulsi Gabbard"}, at(1))
    sit(people["Ben"], assignment, {
        "dni": "Kash Patel",
        "curtailed": ["Colombia", "United Kingdom"],
        "five-eyes-founded": False,
        "analyst": "Harding",
        "year": "2017",
        "order": ["The Atlantic", "CNN", "New York Times"],
        "agencies": {"MI5": "United Kingdom", "FBI": "Netherlands"},
    }, at(5))
    # Cat: 0 + (1 right - 1 wrong = 0) + 0 + 1 + 1 + 1 + 1 = 4, at 09:04.
    sit(people["Cat"], assignment, {
        "dni": "Kash Patel",
        "curtailed": ["United Kingdom", "France"],
        "five-eyes-founded": True,
        "analyst": "Emily Harding",
        "year": "2017.0",
        "order": RIGHT["order"],
        "agencies": RIGHT["agencies"],
    }, at(4))
    # ... and everything right on the other assignment: must not count here.
    sit(people["Cat"], other, RIGHT, at(4))
    # Dan: 1 + 0 (the same two choices as Cat, clicked in another order) + 1 + unanswered 0
    # + 1 + 0 + 1/2 (the same pairs as Ben, given in another order) = 3.5, exactly at the due
    # time (09:06), which is not late.
    sit(people["Dan"], assignment, {
        "dni": "Tulsi Gabbard",
        "curtailed": ["France", "United Kingdom"],
        "five-eyes-founded": "false",
        "year": 2017,
        "order": ["New York Times", "CNN", "The Atlantic"],
        "agencies": {"FBI": "Netherlands", "MI5": "United Kingdom"},
    }, at(6))
    # Eve: 0 + 3 + 0 + 0 + 1 + 1 + 1 = 6 at 09:03, then 6 again at 09:08 with other marks
    # (1 + 3 + 1 + 1 + 0 + 0 + 0): equal scores, so the earlier attempt is her best.
    sit(people["Eve"], assignment, {
        "dni": "John Ratcliffe",
        "curtailed": RIGHT["curtailed"],
        "five-eyes-founded": True,
        "analyst": "Snowden",
        "year": "2017",
        "order": RIGHT["order"],
        "agencies": RIGHT["agencies"],
    }, at(3))
    sit(people["Eve"], assignment, {k: RIGHT[k] for k in KEYS[:4]}, at(8))
    # Fay starts and never finishes.
    sit(people["Fay"], assignment, RIGHT, at(2), finish=False)
    # Gus gets everything right, then leaves the class: he is in no statistic.
    sit(people["Gus"], assignment, RIGHT, at(2))
    classes.remove_member(room, people["Gus"].id)
    return room, assignment, people


def test_each_student_has_a_row_from_their_best_finished_attempt(room) -> None:
    _room, assignment, _people = room
    report = assignment_report(assignment)
    rows = {s.name: s for s in report.students}
    assert [s.name for s in report.students] == ["Ann", "Ben", "Cat", "Dan", "Eve", "Fay"]
    assert report.finished == 5
    assert [q.key for q in report.questions] == KEYS
    assert {n: (r.total, r.points) for n, r in rows.items()} == {
        "Ann": (9, 9), "Ben": (5.5, 9), "Cat": (4, 9), "Dan": (3.5, 9), "Eve": (6, 9),
        "Fay": (None, None),
    }
    # Eve's best is the earlier of her two 6-point attempts (dni wrong, year right).
    assert [rows["Eve"].marks[k] for k in KEYS] == [0, 3, 0, 0, 1, 1, 1]
    assert rows["Eve"].finished_at == at(3)
    assert [rows["Ben"].marks[k] for k in KEYS] == [0, 2, 1, 1, 1, 0, 0.5]
    assert rows["Fay"].attempt_id is None and set(rows["Fay"].marks.values()) == {None}
    # due 09:06: Ann (09:10) is late; Dan, finishing at 09:06 exactly, is not.
    assert {n for n, r in rows.items() if r.late} == {"Ann"}


def test_facility_is_the_mean_mark_over_the_maximum(room) -> None:
    report = assignment_report(room[1])
    facility = {q.key: q.facility for q in report.questions}
    assert facility == pytest.approx({
        "dni": 0.4,                      # (1+0+0+1+0)/5 / 1
        "curtailed": 8 / 15,             # (3+2+0+0+3)/5 = 1.6, / 3
        "five-eyes-founded": 0.6,        # (1+1+0+1+0)/5
        "analyst": 0.6,                  # (1+1+1+0+0)/5
        "year": 1.0,                     # everyone
        "order": 0.6,                    # (1+0+1+0+1)/5
        "agencies": 0.8,                 # (1+0.5+1+0.5+1)/5
    })


def test_discrimination_correlates_a_question_with_the_rest_of_the_test(room) -> None:
    # r = sxy / sqrt(sxx * syy), x the question's marks, y the total minus x (rest of test);
    # the sums of squares are over deviations from the means (n cancels, so sample or
    # population does not matter as long as both sides use the same).
    report = assignment_report(room[1])
    discrimination = {q.key: q.discrimination for q in report.questions}
    assert discrimination["year"] is None  # everyone got it: x does not vary
    assert discrimination == pytest.approx({
        # x=[1,0,0,1,0] mean .4, dx=[.6,-.4,-.4,.6,-.4], sxx=1.2
        # y=[8,5.5,4,2.5,6] mean 5.2, dy=[2.8,.3,-1.2,-2.7,.8], syy=7.84+.09+1.44+7.29+.64=17.3
        # sxy=1.68-.12+.48-1.62-.32=.1 -> .1/sqrt(1.2*17.3)
        "dni": 0.1 / (1.2 * 17.3) ** 0.5,
        # x=[3,2,0,0,3] mean 1.6, dx=[1.4,.4,-1.6,-1.6,1.4], sxx=1.96+.16+2.56+2.56+1.96=9.2
        # y=[6,3.5,4,3.5,3] mean 4, dy=[2,-.5,0,-.5,-1], syy=4+.25+0+.25+1=5.5
        # sxy=2.8-.2+0+.8-1.4=2 -> 2/sqrt(9.2*5.5)
        "curtailed": 2 / (9.2 * 5.5) ** 0.5,
        # x=[1,1,0,1,0] mean .6, dx=[.4,.4,-.6,.4,-.6]; y=[8,4.5,4,2.5,6] mean 5,
        # dy=[3,-.5,-1,-2.5,1]; sxy=1.2-.2+.6-1-.6=0: no discrimination at all
        "five-eyes-founded": 0.0,
        # x=[1,1,1,0,0], sxx=1.2; y=[8,4.5,3,3.5,6] mean 5, dy=[3,-.5,-2,-1.5,1],
        # syy=9+.25+4+2.25+1=16.5; sxy=1.2-.2-.8+.9-.6=.5
        "analyst": 0.5 / (1.2 * 16.5) ** 0.5,
        "year": None,
        # x=[1,0,1,0,1], sxx=1.2; y=[8,5.5,3,3.5,5] mean 5, dy=[3,.5,-2,-1.5,0],
        # syy=9+.25+4+2.25+0=15.5; sxy=1.2-.3-.8+.9+0=1
        "order": 1 / (1.2 * 15.5) ** 0.5,
        # x=[1,.5,1,.5,1] mean .8, dx=[.2,-.3,.2,-.3,.2], sxx=.3; y=[8,5,3,3,5] mean 4.8,
        # dy=[3.2,.2,-1.8,-1.8,.2], syy=10.24+.04+3.24+3.24+.04=16.8; sxy=.64-.06-.36+.54+.04=.8
        "agencies": 0.8 / (0.3 * 16.8) ** 0.5,
    })
    # with the whole total instead of the rest, dni would come out at 1.3/sqrt(1.2*18.7) = .275
    assert discrimination["dni"] == pytest.approx(0.021948, abs=1e-6)


def test_cronbachs_alpha_uses_sample_variances(room) -> None:
    # Item sample variances (sxx above / (5-1)): .3, 2.3, .3, .3, 0, .3, .075 -> sum 3.575.
    # Totals [9,5.5,4,3.5,6], mean 5.6, deviations [3.4,-.1,-1.6,-2.1,.4],
    # squares 11.56+.01+2.56+4.41+.16 = 18.7, sample variance 4.675.
    # alpha = 7/6 * (1 - 3.575/4.675) = 7/6 * 1.1/4.675 = 7/6 * 4/17 = 14/51.
    assert assignment_report(room[1]).alpha == pytest.approx(14 / 51)


def test_alpha_needs_three_finished_attempts(app, all_types) -> None:
    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Small")
    assignment = classes.create_assignment(room, "all-types")
    ann, ben = make_account("ann"), make_account("ben")
    for student in (ann, ben):
        classes.join(student, room.join_code)
    sit(ann, assignment, RIGHT, at(1))
    sit(ben, assignment, {"dni": "Tulsi Gabbard"}, at(2))
    report = assignment_report(assignment)
    assert report.finished == 2 and report.alpha is None
    # two points are enough for a correlation: dni x=[1,1] does not vary -> None;
    # curtailed x=[3,0], rest [6,1]: perfectly correlated -> 1
    discrimination = {q.key: q.discrimination for q in report.questions}
    assert discrimination["dni"] is None
    assert discrimination["curtailed"] == pytest.approx(1.0)


def test_the_most_chosen_wrong_answers(room) -> None:
    wrong = {q.key: q.wrong for q in assignment_report(room[1]).questions}
    assert wrong == {
        "dni": [("Kash Patel", 2), ("John Ratcliffe", 1)],
        # Cat and Dan chose the same two options in another order (a form sends them in the
        # shuffled order shown): one wrong answer, chosen twice, in the bank's order.
        "curtailed": [("United Kingdom, France", 2)],
        "five-eyes-founded": [("True", 2)],
        "analyst": [("(no answer)", 1), ("Snowden", 1)],
        "year": [],
        "order": [("The Atlantic, CNN, New York Times", 1), ("New York Times, CNN, The Atlantic", 1)],
        "agencies": [],
    }


def test_partly_right_answers_are_listed_apart_from_wrong_ones(room) -> None:
    # Ben's 2 of 3 on curtailed and Ben's and Dan's half marks on agencies scored something.
    partly = {q.key: q.partly for q in assignment_report(room[1]).questions}
    assert partly == {
        "dni": [], "five-eyes-founded": [], "analyst": [], "year": [], "order": [],
        "curtailed": [("United Kingdom, Colombia", 1)],
        "agencies": [("MI5 → United Kingdom; FBI → Netherlands", 2)],
    }


def test_discrimination_is_marked_unreliable_below_the_stated_number_of_attempts(room) -> None:
    report = assignment_report(room[1])
    assert DISCRIMINATION_MIN_ATTEMPTS == 10
    # five finished attempts asked each question: a figure, marked unreliable
    assert {q.asked for q in report.questions} == {5}
    assert not any(q.discrimination_reliable for q in report.questions)
    assert report.questions[1].discrimination is not None


def test_mastery_per_skill_weights_questions_by_points(room) -> None:
    mastery = assignment_report(room[1]).mastery
    assert mastery == pytest.approx({
        "recall": 15 / 25,        # dni 2 + curtailed 8 + year 5 marks of 5 x (1+3+1) points
        "context": 7 / 10,        # five-eyes 3 + agencies 4, of 5 x (1+1)
        "attribution": 3 / 5,     # analyst
        "sourcing": 3 / 5,        # order
        "fact_vs_opinion": None, "evidence": None, "lateral_reading": None,
    })


def test_the_distribution_counts_finished_attempts_per_tenth(room) -> None:
    # Ann 9/9 = 100% -> last band; Ben 5.5/9 = 61% -> 60s; Cat 4/9 = 44%; Dan 3.5/9 = 39%;
    # Eve 6/9 = 67% -> 60s. Fay has not finished.
    assert assignment_report(room[1]).distribution == [0, 0, 0, 1, 1, 0, 2, 0, 0, 1]


def test_the_grid_csv(room) -> None:
    lines = grid_csv(assignment_report(room[1])).split("\r\n")
    header = next(csv.reader([lines[0]]))
    assert header[:3] == ["username", "name",
                          "Q1: Who does the article name as Director of National Intelligence?"]
    assert [h.split(":")[0] for h in header[2:9]] == [f"Q{n}" for n in range(1, 8)]
    assert header[9:] == ["total", "points", "finished_at", "late", "status"]
    assert lines[1:] == [
        "ann,Ann,1,3,1,1,1,1,1,9,9,2026-03-01T09:10:00+00:00,late,finished",
        "ben,Ben,0,2,1,1,1,0,0.5,5.5,9,2026-03-01T09:05:00+00:00,,finished",
        "cat,Cat,0,0,0,1,1,1,1,4,9,2026-03-01T09:04:00+00:00,,finished",
        "dan,Dan,1,0,1,0,1,0,0.5,3.5,9,2026-03-01T09:06:00+00:00,,finished",
        "eve,Eve,0,3,0,0,1,1,1,6,9,2026-03-01T09:03:00+00:00,,finished",
        # Fay started and never finished: in progress, not a blank row
        "fay,Fay,,,,,,,,,,,,in progress",
        "",
    ]


def test_a_report_of_an_assignment_nobody_finished(app, all_types) -> None:
    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Empty")
    assignment = classes.create_assignment(room, "all-types")
    classes.join(make_account("ann"), room.join_code)
    report = assignment_report(assignment)
    assert report.finished == 0 and report.questions == [] and report.alpha is None
    assert report.distribution == [0] * 10
    assert set(report.mastery.values()) == {None}
    assert grid_csv(report) == ("username,name,total,points,finished_at,late,status\r\n"
                                "ann,Ann,,,,,not started\r\n")


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+2", "'=1+2"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("Ann", "Ann"), ("a=b", "a=b"), ("", ""), (None, ""), (0.5, "0.5"),
])
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(value, cell) -> None:
    assert csv_cell(value) == cell


@pytest.mark.parametrize(("value", "cell"), [
    ("Kid;=1+1", "'Kid;=1+1"), ("a,=1", "'a,=1"), ("x\t@SUM(1)", "'x\t@SUM(1)"),
    ("a|+1", "'a|+1"), ("line\n-1+1", "'line\n-1+1"), ("Kid; =1+1", "'Kid; =1+1"),
    ("Mary-Jane O'Neil", "Mary-Jane O'Neil"), ("Smith, Ann", "Smith, Ann"),
    (-1, "-1"), (-0.5, "-0.5"), (3.0, "3"), (True, "True"),
])
def test_csv_cells_neutralise_formulas_after_any_separator_and_keep_numbers(value, cell) -> None:
    assert csv_cell(value) == cell


def test_a_display_name_cannot_smuggle_a_formula_into_the_grid(app, all_types) -> None:
    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Period 4")
    assignment = classes.create_assignment(room, "all-types")
    mallory = accounts.create_account("mallory", '=HYPERLINK("http://evil.example","Click")',
                                      "correct horse")
    classes.join(mallory, room.join_code)
    sit(mallory, assignment, RIGHT, at(1))
    rows = list(csv.reader(io.StringIO(grid_csv(assignment_report(assignment)))))
    assert rows[1][:2] == ["mallory", '\'=HYPERLINK("http://evil.example","Click")']


def test_a_formula_after_a_semicolon_in_a_name_is_neutralised_in_the_grid(app, all_types) -> None:
    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Period 4")
    assignment = classes.create_assignment(room, "all-types")
    kid = accounts.create_account("kid", "Kid;=1+1", "correct horse")
    classes.join(kid, room.join_code)
    sit(kid, assignment, RIGHT, at(1))
    rows = list(csv.reader(io.StringIO(grid_csv(assignment_report(assignment)))))
    assert rows[1][:3] == ["kid", "'Kid;=1+1", "1"]  # the name quoted, the marks numbers


def test_nothing_that_does_not_vary_is_correlated() -> None:
    # 0.2 + 0.4 is 0.6000000000000001 in floating point: the same mark as 0.6 for any
    # person, so the rest-of-test totals below do not vary and the correlation is undefined.
    assert pearson([1.0, 0.0, 1.0], [0.2 + 0.4, 0.6, 0.6]) is None
    assert pearson([0.2 + 0.4, 0.6, 0.6], [1.0, 0.0, 1.0]) is None
    assert pearson([1.0, 0.0], [2.0, 1.0]) == pytest.approx(1.0)
    assert pearson([1.0], [2.0]) is None


def test_alpha_is_undefined_when_the_totals_do_not_vary() -> None:
    # Totals 0.2+0.4, 0.6+0, 0+0.6 are all 0.6: alpha divides by their variance, 0.
    assert cronbach_alpha([[0.2, 0.4], [0.6, 0.0], [0.0, 0.6]]) is None
    # [[1,0],[0,1],[1,1]]: items have variance 1/3 each; totals [1,1,2] mean 4/3,
    # squares 1/9+1/9+4/9 = 2/3, sample variance 1/3; alpha = 2/1 * (1 - (2/3)/(1/3)) = -2.
    assert cronbach_alpha([[1, 0], [0, 1], [1, 1]]) == pytest.approx(-2.0)
    assert cronbach_alpha([[1, 0], [0, 1]]) is None


def test_a_question_retired_part_way_counts_only_where_it_was_asked(app, all_types, tmp_path) -> None:
    """Ann and Ben sat the quiz with dni; then dni was retired and Cat and Dan sat it without.

        question   dni  curtailed  year | recall (dni 1, curtailed 3, year 1 points)
        Ann         1       3        1
        Ben         0       0        1
        Cat         -       3        1
        Dan         -       0        0
    """
    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Period 3")
    assignment = classes.create_assignment(room, "all-types")
    people = {n: make_account(n.lower()) for n in ("Ann", "Ben", "Cat", "Dan")}
    for student in people.values():
        classes.join(student, room.join_code)
    sit(people["Ann"], assignment, RIGHT, at(1))
    sit(people["Ben"], assignment, {"dni": "Kash Patel", "year": "2017"}, at(2))
    bank = (FIXTURES / "all-types.yaml").read_text()
    without_dni = tmp_path / "all-types.yaml"
    without_dni.write_text(bank[: bank.index("  - id: dni")] + bank[bank.index("  - id: curtailed"):])
    load_banks(without_dni)
    sit(people["Cat"], assignment, {k: v for k, v in RIGHT.items() if k != "dni"}, at(3))
    sit(people["Dan"], assignment, {}, at(4))

    report = assignment_report(assignment)
    stats = {q.key: q for q in report.questions}
    assert stats["dni"].asked == 2 and stats["curtailed"].asked == 4
    assert stats["dni"].facility == pytest.approx(0.5)          # (1 + 0) / 2, not (1+0+0+0) / 4
    assert stats["curtailed"].facility == pytest.approx(0.5)    # (3+0+3+0)/4 / 3
    # dni: x = [1, 0], rest of test y = [8, 1]: they move together, r = 1
    assert stats["dni"].discrimination == pytest.approx(1.0)
    # recall = (dni 1 of 2 + curtailed 6 of 12 + year 3 of 4) / (2 + 12 + 4)
    assert report.mastery["recall"] == pytest.approx(10 / 18)
    rows = {r.name: r for r in report.students}
    assert rows["Cat"].marks["dni"] is None and rows["Ben"].marks["dni"] == 0
