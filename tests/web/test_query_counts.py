"""The busiest requests run a fixed, small number of queries, however long the quiz.

Loading a whole attempt (every question with its version and answer) to show
or answer one question was most of the cost of a request under load
(docs/performance.md); these tests keep it from coming back.
"""

from __future__ import annotations

from flask import Flask

from quizapp.scoring import key_response
from quizapp.services import accounts, quiz
from quizapp.services.quiz import load_attempt
from tests.conftest import ROOT, load_banks, make_account, recorded_queries, sign_in

SHORT, LONG = "all-types", "who-is-who"  # 7 and 16 questions


def _banks() -> None:
    load_banks(ROOT / "tests" / "fixtures" / "all-types.yaml", ROOT / "questions" / "who-is-who.yaml")


def _attempt(account_id: int, bank_id: str, answered: int):
    attempt = load_attempt(quiz.start_attempt(account_id, bank_id).id, account_id)
    for item in attempt.items[:answered]:
        quiz.answer_question(attempt, item, key_response(quiz.question_of(item)))
    return attempt


def test_a_question_page_runs_the_same_few_queries_for_any_quiz(app: Flask, client) -> None:
    _banks()
    ada = make_account("ada")
    sign_in(client, "ada")
    counts = {}
    for bank_id, answered, number in ((SHORT, 0, 1), (SHORT, 3, 2), (LONG, 10, 16), (LONG, 10, 11)):
        attempt = _attempt(ada.id, bank_id, answered)
        url = f"/attempts/{attempt.id}/questions/{number}"
        with recorded_queries() as statements:
            page = client.get(url)
        assert page.status_code == 200
        counts[bank_id, answered, number] = len(statements)
        quiz.finish_attempt(attempt)
    # the signed-in account, then the question with its attempt, version, answer and tally;
    # an answered question's feedback asks first whether an assignment of the bank holds
    # answers back (one more): none of it grows with the quiz
    assert counts == {(SHORT, 0, 1): 2, (SHORT, 3, 2): 3, (LONG, 10, 16): 2, (LONG, 10, 11): 2}, counts


def test_an_answer_through_the_api_runs_the_same_few_queries_for_any_quiz(app: Flask, client) -> None:
    _banks()
    ada = make_account("ada")
    token = accounts.issue_token(ada)
    counts = {}
    for bank_id in (SHORT, LONG):
        attempt = _attempt(ada.id, bank_id, 0)
        url = f"/api/v1/attempts/{attempt.id}/answers/{attempt.items[-1].version.content['id']}"
        with recorded_queries() as statements:
            reply = client.put(url,
                               json={"response": "x"}, headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 200, reply.text
        counts[bank_id] = len(statements)
    # the token's account, the question with its attempt and version, whether an assignment
    # of the bank holds answers back, the answer stored
    assert set(counts.values()) == {4}, counts


def test_the_home_page_queries_do_not_grow_with_the_assignments(app: Flask, client) -> None:
    from quizapp.services import classes

    _banks()
    teacher = make_account("teach", role="teacher")
    ada = make_account("ada")
    sign_in(client, "ada")
    room = classes.create_class(teacher, "Period 3")
    classes.join(ada, room.join_code)
    counts = []
    for bank_id in (SHORT, LONG, SHORT, LONG):
        assignment = classes.create_assignment(room, bank_id)
        quiz.start_attempt(ada.id, bank_id, assignment_id=assignment.id)
        with recorded_queries() as statements:
            home = client.get("/")
        assert home.status_code == 200 and home.text.count('class="badge started"') == len(counts) + 1
        counts.append(len(statements))
    assert len(set(counts)) == 1, counts


def test_the_teachers_dashboard_queries_do_not_grow_with_the_classes(app: Flask, client) -> None:
    from quizapp.services import classes

    _banks()
    teacher = make_account("teach", role="teacher")
    sign_in(client, "teach")
    counts = []
    for n in range(4):
        room = classes.create_class(teacher, f"Period {n}")
        student = make_account(f"student{n}")
        classes.add_member(room, student)
        for bank_id in (SHORT, LONG):
            assignment = classes.create_assignment(room, bank_id)
            quiz.start_attempt(student.id, bank_id, assignment_id=assignment.id)
        with recorded_queries() as statements:
            home = client.get("/")
        assert home.status_code == 200
        assert home.text.count("<strong data-answering>1</strong> answering now") == 2 * (n + 1)
        counts.append(len(statements))
    # the signed-in account, then classes, assignments, progress and banks to review
    assert counts == [5] * 4, counts


def test_the_review_api_runs_the_same_few_queries_however_much_is_due(app: Flask, client) -> None:
    import datetime as dt

    from quizapp.models import utcnow
    from tests.services.test_review import sit

    _banks()
    ada = make_account("ada")
    token = accounts.issue_token(ada)
    headers = {"Authorization": f"Bearer {token}"}
    counts = []
    for bank_id in (SHORT, LONG):
        sit(ada.id, bank_id, wrong=("dni", "year", "order", "agencies", "fbi-director"),
            at=utcnow() - dt.timedelta(hours=1))
        client.get("/api/v1/me/review", headers=headers)  # the new misses made into cards
        with recorded_queries() as statements:
            reply = client.get("/api/v1/me/review", headers=headers)
        assert reply.status_code == 200
        counts.append((len(reply.get_json()["due"]), len(statements)))
    # the token's account; the attempts whose marks are held back; the misses and the cards
    # (nothing new to store); the assignments that make a bank wait; the due cards; the next
    # due time; the review under way: however many are due
    assert counts == [(4, 8), (6, 8)], counts
