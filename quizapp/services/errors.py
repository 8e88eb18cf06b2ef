"""Errors that services raise; each says what went wrong in words a person can read."""


class ServiceError(Exception):
    """Base class; ``status`` is the HTTP status a view should answer with."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


class Invalid(ServiceError):
    status = 422
