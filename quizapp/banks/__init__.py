"""Question banks: reading YAML with positions, the format-1 schema, articles, validation."""

from quizapp.banks.articles import Article, ArticleError, load_article, load_articles
from quizapp.banks.problems import Problem
from quizapp.banks.schema import (
    SKILLS,
    Bank,
    Evidence,
    Question,
    question_adapter,
)
from quizapp.banks.validate import ValidatedBank, ValidationReport, validate_paths, validate_text

__all__ = [
    "SKILLS",
    "Article",
    "ArticleError",
    "Bank",
    "Evidence",
    "Problem",
    "Question",
    "ValidatedBank",
    "ValidationReport",
    "load_article",
    "load_articles",
    "question_adapter",
    "validate_paths",
    "validate_text",
]
