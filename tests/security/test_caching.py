"""Nothing signed in is kept by a browser's or a proxy's cache: marks, keys after answering,
rosters and reports are sent with ``Cache-Control: no-store``."""

from __future__ import annotations

from tests.security.conftest import is_api, methods_of, rules, send


def test_pages_with_marks_are_never_cached(app, world) -> None:
    """Every page and API read that a student or teacher gets (results, reports, class pages,
    boards, CSV) says no-store; the app's static files may be cached."""
    seen: list[str] = []
    problems: list[str] = []
    for rule in rules(app):
        if "GET" not in methods_of(rule) or rule.endpoint == "static":
            continue
        for actor in ("s1", "t1"):
            response = send(app, world, rule, "GET", actor)
            if response.status_code != 200:
                continue
            seen.append(rule.endpoint)
            if "no-store" not in response.headers.get("Cache-Control", ""):
                problems.append(f"{actor} GET {rule.rule}: Cache-Control "
                                f"{response.headers.get('Cache-Control')!r}")
    assert not problems, "\n".join(problems)
    for endpoint in ("quiz.results", "quiz.progress", "classes.show", "classes.report",
                     "classes.board", "classes.grid_csv"):
        assert endpoint in seen, f"{endpoint} was not reached"
    assert any(is_api(rule) for rule in rules(app) if rule.endpoint in seen)


def test_static_files_may_be_cached(app, client) -> None:
    response = client.get("/static/style.css")
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
