"""Taking a quiz in the browser's forms: every type, feedback, resuming, no double counting."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml
from sqlalchemy import func, select, update

from quizapp.extensions import db
from quizapp.models import Answer, Attempt, utcnow
from tests.conftest import FIXTURES, load_banks, make_account, sign_in

KEYS = yaml.safe_load((FIXTURES / "all-types.yaml").read_text())["questions"]


@pytest.fixture
def ada(app, client, all_types):
    make_account("ada")
    sign_in(client)
    return client


def start(client, bank="all-types") -> int:
    response = client.post(f"/quizzes/{bank}/start")
    assert response.status_code == 303
    return int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))


def page(client, attempt_id: int, number: int) -> str:
    return client.get(f"/attempts/{attempt_id}/questions/{number}").text


def shown_items(html: str) -> list[str]:
    return re.findall(r'<label for="position-\d+">([^<]+)</label>', html)


def count_answers() -> int:
    return db.session.execute(select(func.count(Answer.id))).scalar_one()


def right_form(number: int, html: str) -> dict:
    """The form a student who knows the answer submits for question ``number``."""
    question = KEYS[number - 1]
    match question["type"]:
        case "single":
            return {"choice": question["answer"]}
        case "multiple":
            return {"choice": question["answer"]}
        case "true_false":
            return {"answer": "true" if question["answer"] else "false"}
        case "short":
            return {"answer": question["answer"][0]}
        case "numeric":
            return {"answer": "2,017"}
        case "ordering":
            items = shown_items(html)
            return {f"position-{i}": question["items"].index(item) + 1 for i, item in enumerate(items)}
        case "matching":
            return {f"match-{i}": right for i, right in enumerate(question["pairs"].values())}


def test_every_type_answered_right_scores_full_marks(ada) -> None:
    attempt_id = start(ada)
    for number in range(1, len(KEYS) + 1):
        html = page(ada, attempt_id, number)
        assert f"Question {number} of {len(KEYS)}" in html
        response = ada.post(f"/attempts/{attempt_id}/questions/{number}", data=right_form(number, html))
        assert response.status_code == 303
        feedback = ada.get(response.headers["Location"]).text
        assert "Right!" in feedback, (number, feedback)
        assert KEYS[number - 1]["explanation"] in feedback
    response = ada.post(f"/attempts/{attempt_id}/finish", follow_redirects=True)
    assert "You scored <strong>9/9</strong> (100%)" in response.text
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.finished_at is not None and attempt.score == 9


def test_feedback_shows_the_chosen_options_feedback_and_the_evidence_link(ada) -> None:
    attempt_id = start(ada)
    ada.post(f"/attempts/{attempt_id}/questions/1", data={"choice": "Kash Patel"})
    html = page(ada, attempt_id, 1)
    assert "Not quite" in html and "0/1 point" in html
    assert "<strong>Kash Patel:</strong> The article names Patel as FBI Director." in html
    assert "<dt>The answer</dt>\n          <dd>Tulsi Gabbard</dd>" in html
    assert "“Tulsi Gabbard”" in html
    assert ('href="/articles/allies-intelligence-sharing?hl=9&amp;quote=Tulsi+Gabbard#p9"'
            in html)


def test_partial_credit_for_multiple(ada) -> None:
    attempt_id = start(ada)
    ada.post(f"/attempts/{attempt_id}/questions/2", data={"choice": ["United Kingdom", "France"]})
    html = page(ada, attempt_id, 2)
    assert "Not quite" in html and "0/3 points" in html
    ada.post(f"/attempts/{attempt_id}/questions/2", data={"choice": ["United Kingdom"]})
    assert count_answers() == 1  # the first answer is final


def test_a_second_submit_of_the_same_question_counts_once(ada) -> None:
    attempt_id = start(ada)
    first = ada.post(f"/attempts/{attempt_id}/questions/4", data={"answer": "Emily Harding"})
    second = ada.post(f"/attempts/{attempt_id}/questions/4", data={"answer": "someone else"})
    assert first.status_code == second.status_code == 303
    html = ada.get(second.headers["Location"]).text
    assert "You had already answered this question; your first answer counts." in html
    assert "Right!" in html
    assert count_answers() == 1


def test_a_question_page_with_several_forms_repeats_no_id(app, ada) -> None:
    attempt_id = start(ada)
    app.config["WTF_CSRF_ENABLED"] = True  # the tokens are rendered as in production
    html = page(ada, attempt_id, 5)
    assert html.count('name="csrf_token"') == 2  # signing out, and the answer
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_reloading_and_going_back_shows_the_stored_answer(ada) -> None:
    attempt_id = start(ada)
    ada.post(f"/attempts/{attempt_id}/questions/5", data={"answer": "1999"})
    for _ in range(3):
        html = page(ada, attempt_id, 5)
        assert "Not quite" in html and "1999" in html
        assert 'name="answer"' not in html  # no form to submit again
    assert count_answers() == 1


def test_leaving_and_coming_back_resumes_at_the_first_unanswered_question(ada) -> None:
    attempt_id = start(ada)
    ada.post(f"/attempts/{attempt_id}/questions/1", data={"choice": "Tulsi Gabbard"})
    ada.post(f"/attempts/{attempt_id}/questions/2", data={"choice": ["Colombia"]})
    assert start(ada) == attempt_id  # starting again resumes
    assert ada.get(f"/attempts/{attempt_id}").headers["Location"] == f"/attempts/{attempt_id}/questions/3"
    assert "Resume your attempt" in ada.get("/quizzes/all-types").text


def test_a_numeric_answer_that_is_not_a_number_scores_0_and_says_why(ada) -> None:
    attempt_id = start(ada)
    ada.post(f"/attempts/{attempt_id}/questions/5", data={"answer": "twenty seventeen"})
    assert "The answer was not read as a number." in page(ada, attempt_id, 5)


def test_ordering_with_a_position_used_twice_asks_again_and_stores_nothing(ada) -> None:
    attempt_id = start(ada)
    response = ada.post(f"/attempts/{attempt_id}/questions/6",
                        data={"position-0": "1", "position-1": "1", "position-2": "2"})
    assert response.status_code == 422
    assert "Each position can be given to only one item." in response.text
    assert count_answers() == 0


def test_ordering_shows_every_item_once_and_keeps_its_order_on_reload(ada) -> None:
    for _ in range(5):
        attempt_id = start(ada)
        items = shown_items(page(ada, attempt_id, 6))
        assert sorted(items) == sorted(KEYS[5]["items"])
        assert shown_items(page(ada, attempt_id, 6)) == items
        ada.post(f"/attempts/{attempt_id}/finish")


def test_malformed_fields_score_0_without_breaking_the_attempt(ada) -> None:
    attempt_id = start(ada)
    assert ada.post(f"/attempts/{attempt_id}/questions/1", data={"choice": "Nobody"}).status_code == 303
    assert ada.post(f"/attempts/{attempt_id}/questions/3", data={"answer": "perhaps"}).status_code == 303
    assert ada.post(f"/attempts/{attempt_id}/questions/7",
                    data={"match-0": "Mars", "match-1": "United States"}).status_code == 303
    assert [a.score for a in db.session.execute(select(Answer)).scalars()] == [0, 0, 0]
    assert "Not quite" in page(ada, attempt_id, 7)


@pytest.mark.parametrize("number", range(1, len(KEYS) + 1))
def test_the_page_before_answering_shows_no_key_feedback_or_explanation(ada, number) -> None:
    attempt_id = start(ada)
    html = page(ada, attempt_id, number)
    question = KEYS[number - 1]
    assert question["explanation"] not in html
    for text in (question.get("feedback") or {}).values():
        assert text not in html
    if question["type"] in ("short", "numeric"):
        answers = question["answer"] if isinstance(question["answer"], list) else [question["answer"]]
        for answer in answers:
            assert str(answer) not in html
    if question["type"] == "ordering":  # shuffled: every order equally likely, the key's too
        assert sorted(shown_items(html)) == sorted(question["items"])
    if question["type"] == "matching":
        options = re.findall(r'<option value="([^"]+)">', html)
        assert sorted(options) == sorted([*question["pairs"].values(), *question["distractors"]] * 2)
        assert "selected" not in html


def test_results_show_each_answer_key_explanation_and_skills(ada) -> None:
    attempt_id = start(ada)
    ada.post(f"/attempts/{attempt_id}/questions/1", data={"choice": "Tulsi Gabbard"})
    ada.post(f"/attempts/{attempt_id}/questions/4", data={"answer": "Harding"})
    html = ada.post(f"/attempts/{attempt_id}/finish", follow_redirects=True).text
    assert "You scored <strong>2/9</strong> (22%)" in html
    assert html.count("not answered") == 5
    for question in KEYS:
        assert question["explanation"] in html
    assert "Attribution" in html and "Recall" in html


def test_results_before_finishing_go_back_to_the_quiz(ada) -> None:
    attempt_id = start(ada)
    assert ada.get(f"/attempts/{attempt_id}/results").headers["Location"] == f"/attempts/{attempt_id}"


def test_another_students_attempt_is_not_found(app, ada) -> None:
    attempt_id = start(ada)
    make_account("bob")
    other = app.test_client()
    sign_in(other, "bob")
    for path in (f"/attempts/{attempt_id}", f"/attempts/{attempt_id}/questions/1",
                 f"/attempts/{attempt_id}/results"):
        assert other.get(path).status_code == 404
    assert other.post(f"/attempts/{attempt_id}/questions/1",
                      data={"choice": "Tulsi Gabbard"}).status_code == 404
    assert count_answers() == 0


def test_progress_shows_best_latest_chart_skills_and_practice(ada) -> None:
    for right in (False, True):
        attempt_id = start(ada)
        ada.post(f"/attempts/{attempt_id}/questions/1",
                 data={"choice": "Tulsi Gabbard" if right else "Kash Patel"})
        ada.post(f"/attempts/{attempt_id}/finish")
    html = ada.get("/progress").text
    assert "Best <strong>11%</strong> · latest <strong>11%</strong> · 2 finished attempts" in html
    assert html.count('<circle class="dot"') == 2
    assert "Scores over 2 attempts: 0%, 11%" in html
    assert "Practise what I missed (6)" in html
    assert re.search(r"Recall</span>\s*<meter[^>]*value=\"0.200\"", html)  # 1 of 5 recall points


def test_practice_asks_only_what_was_missed_last_time(ada) -> None:
    attempt_id = start(ada)
    ada.post(f"/attempts/{attempt_id}/questions/1", data={"choice": "Tulsi Gabbard"})
    ada.post(f"/attempts/{attempt_id}/finish")
    response = ada.post("/quizzes/all-types/start", data={"kind": "practice"})
    practice_id = int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))
    attempt = db.session.get(Attempt, practice_id)
    assert attempt.kind == "practice"
    assert [item.version.content["id"] for item in attempt.items] == [q["id"] for q in KEYS[1:]]


def test_a_stale_answer_form_asks_again_and_stores_nothing(app, ada) -> None:
    attempt_id = start(ada)
    app.config["WTF_CSRF_ENABLED"] = True
    response = ada.post(f"/attempts/{attempt_id}/questions/1", data={"choice": "Tulsi Gabbard"},
                        headers={"Referer": f"http://localhost/attempts/{attempt_id}/questions/1"})
    assert response.status_code == 303
    html = ada.get(response.headers["Location"]).text
    assert "That page was out of date, so nothing was saved. Please try again." in html
    assert 'name="choice"' in html
    assert count_answers() == 0


def test_an_answer_sent_by_script_is_told_where_to_go_and_the_message_waits(ada) -> None:
    attempt_id = start(ada)
    ada.post(f"/attempts/{attempt_id}/questions/4", data={"answer": "Emily Harding"})
    response = ada.post(f"/attempts/{attempt_id}/questions/4", data={"answer": "again"},
                        headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200
    assert response.get_json() == {"location": f"/attempts/{attempt_id}/questions/4"}
    html = page(ada, attempt_id, 4)
    assert "You had already answered this question; your first answer counts." in html


def test_an_ordering_form_sent_back_keeps_the_students_positions(ada) -> None:
    attempt_id = start(ada)
    response = ada.post(f"/attempts/{attempt_id}/questions/6",
                        data={"position-0": "3", "position-1": "3", "position-2": "1"})
    selected = re.findall(r'<option value="(\d)" selected>', response.text)
    assert selected == ["3", "3", "1"]


def test_answers_are_rate_limited_per_account_with_retry_after(app, ada) -> None:
    app.config["ANSWER_LIMIT_PER_ACCOUNT"] = "3 per minute"
    attempt_id = start(ada)
    statuses = [ada.post(f"/attempts/{attempt_id}/questions/{n}", data={"answer": "x"}).status_code
                for n in (3, 4, 5)]
    assert statuses == [303, 303, 303]
    response = ada.post(f"/attempts/{attempt_id}/questions/6", data={"position-0": "1"})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert count_answers() == 3
    assert ada.get(f"/attempts/{attempt_id}/questions/6").status_code == 200  # reading is free


def test_a_class_behind_one_address_can_all_answer(app, client, all_types) -> None:
    for n in range(30):
        make_account(f"pupil{n}")
    for n in range(30):
        sign_in(client, f"pupil{n}")
        attempt_id = start(client)
        for number in (1, 3):
            response = client.post(f"/attempts/{attempt_id}/questions/{number}",
                                   data={"choice": "Tulsi Gabbard", "answer": "false"})
            assert response.status_code == 303, (n, number)
        client.post("/logout")
    assert count_answers() == 60


def test_when_the_time_limit_passes_the_pages_close_the_attempt_and_keep_its_answers(
        app, client, tmp_path) -> None:
    bank = (FIXTURES / "all-types.yaml").read_text().replace(
        "  shuffle_choices: true", "  shuffle_choices: true\n  time_limit_seconds: 60")
    (tmp_path / "all-types.yaml").write_text(bank)
    load_banks(tmp_path / "all-types.yaml")
    make_account("ada")
    sign_in(client)
    attempt_id = start(client)
    assert client.post(f"/attempts/{attempt_id}/questions/4",
                       data={"answer": "Emily Harding"}).status_code == 303
    # the minute runs out (and the five seconds of grace)
    db.session.execute(update(Attempt).where(Attempt.id == attempt_id)
                       .values(deadline_at=utcnow() - dt.timedelta(seconds=6)))
    db.session.commit()

    unanswered = client.get(f"/attempts/{attempt_id}/questions/2")
    assert unanswered.status_code == 302
    assert unanswered.headers["Location"].endswith(f"/attempts/{attempt_id}/results")
    late = client.post(f"/attempts/{attempt_id}/questions/5", data={"answer": "2017"})
    assert late.status_code == 303
    assert "not counted" in client.get(late.headers["Location"]).text
    answered = client.get(f"/attempts/{attempt_id}/questions/4").text
    # its feedback, and the way to the results (not to a question it can no longer take)
    assert "Right!" in answered and f'href="/attempts/{attempt_id}/results"' in answered
    assert "Next question" not in answered
    db.session.expire_all()
    finished = db.session.get(Attempt, attempt_id)
    assert finished.finished_at is not None and finished.score == 1
    assert count_answers() == 1


@pytest.mark.parametrize(("number", "form", "message"), [
    (4, {"answer": "Emily Harding " * 25_000}, "too long: at most 300 characters"),
    (5, {"answer": "2" * 5000}, "too long: at most 300 characters"),
    (2, {"choice": ["United Kingdom"] * 1000}, "too many parts: this question takes at most 4"),
    (7, {"match-0": "United Kingdom" * 1000, "match-1": "United States"}, "too long"),
])
def test_an_oversize_answer_form_is_refused_with_422_and_stores_nothing(ada, number, form,
                                                                         message) -> None:
    attempt_id = start(ada)
    response = ada.post(f"/attempts/{attempt_id}/questions/{number}", data=form)
    assert response.status_code == 422
    assert message in response.text
    assert count_answers() == 0
    # the student is asked again and can still answer
    html = page(ada, attempt_id, number)
    assert ada.post(f"/attempts/{attempt_id}/questions/{number}",
                    data=right_form(number, html)).status_code == 303
    assert count_answers() == 1
