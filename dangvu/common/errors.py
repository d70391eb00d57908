"""The one refusal every service raises: a Vietnamese message, a code, and the field it is about."""

from __future__ import annotations

from dangvu.core.errors import Code


class ServiceError(ValueError):
    """A refused use case; nothing has been written.

    ``message`` is shown to the user as is; ``code`` (a :class:`Code`) says what kind of refusal it
    is, for tests and the API; ``field`` names the form field it is about, if any, so the form shows
    it beside that field.
    """

    def __init__(self, message: str, code: Code | str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = Code(code)
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"message": self.message, "code": str(self.code), "field": self.field}
