"""Schemathesis against /api/v1/openapi.json: no 5xx, and every answer fits the document."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from quizapp.services import accounts, classes, quiz
from tests.conftest import make_account

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def api_schema(app, all_types):
    """The app's own document, on a world with a class, an assignment and an open attempt."""
    app.config["RATELIMIT_ENABLED"] = False
    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Period 3")
    classes.create_assignment(room, "all-types")
    ada = make_account("ada")
    classes.join(ada, room.join_code)
    quiz.start_attempt(ada.id, "all-types")
    app.config["FUZZ_TOKEN"] = accounts.issue_token(ada)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_the_api_answers_every_generated_request_within_its_document(app, api_schema) -> None:
    bearer = {"Authorization": f"Bearer {app.config['FUZZ_TOKEN']}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    served = {(method, rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("openapi.json")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert len(operations) == len(served)
    for operation in operations:
        # revoking the token would end the run's authentication
        fuzz(app, operation, {} if operation.path == "/tokens/current" else bearer)


def fuzz(app, operation, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def run(case) -> None:
        with app.app_context():  # each request its own context, as in production
            case.call_and_validate(headers=headers, checks=CHECKS)

    run()
