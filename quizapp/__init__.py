"""quizapp: quizzes and reading practice for news literacy."""

from quizapp.app import create_app  # noqa: F401

__all__ = ["create_app"]
