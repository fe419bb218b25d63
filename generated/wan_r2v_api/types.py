"""Contains some shared types for properties"""

from collections.abc import Mapping, MutableMapping
from http import HTTPStatus
from typing import IO, BinaryIO, Generic, Literal, TypeVar


class Unset:
    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()

# The types that `httpx.Client(files=)` can accept, copied from that library.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


# wan-r2v: plain classes, as attrs made them but without compiling their methods at import
class File:
    """Contains information for file uploads"""

    __slots__ = ("payload", "file_name", "mime_type")

    payload: BinaryIO
    file_name: str | None
    mime_type: str | None

    def __init__(self, payload: BinaryIO, file_name: str | None = None, mime_type: str | None = None) -> None:
        self.payload = payload
        self.file_name = file_name
        self.mime_type = mime_type

    def __repr__(self) -> str:
        return f"File(payload={self.payload!r}, file_name={self.file_name!r}, mime_type={self.mime_type!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, File) or other.__class__ is not self.__class__:
            return NotImplemented
        return (self.payload, self.file_name, self.mime_type) == (other.payload, other.file_name, other.mime_type)

    def to_tuple(self) -> FileTypes:
        """Return a tuple representation that httpx will accept for multipart/form-data"""
        return self.file_name, self.payload, self.mime_type


T = TypeVar("T")


class Response(Generic[T]):
    """A response from an endpoint"""

    __slots__ = ("status_code", "content", "headers", "parsed")

    status_code: HTTPStatus
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None

    def __init__(
        self, status_code: HTTPStatus, content: bytes, headers: MutableMapping[str, str], parsed: T | None
    ) -> None:
        self.status_code = status_code
        self.content = content
        self.headers = headers
        self.parsed = parsed

    def __repr__(self) -> str:
        return (
            f"Response(status_code={self.status_code!r}, content={self.content!r}, "
            f"headers={self.headers!r}, parsed={self.parsed!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Response) or other.__class__ is not self.__class__:
            return NotImplemented
        mine = (self.status_code, self.content, self.headers, self.parsed)
        return mine == (other.status_code, other.content, other.headers, other.parsed)


__all__ = ["UNSET", "File", "FileTypes", "RequestFiles", "Response", "Unset"]
