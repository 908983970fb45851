"""Read an archive once, in chunks: its first bytes, its lines, its JSON one value at a time.

Memory stays bounded by one chunk plus one value (``MAX_VALUE_CHARS``): JSON archives are
walked one array item at a time with the standard library's ``JSONDecoder.raw_decode``, and a
file longer than its ``max_bytes`` is refused as soon as more was read.
"""

from __future__ import annotations

import codecs
import itertools
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l

from coworking.community.archive_records import ArchiveImportError, item
from coworking.community.archive_values import megabytes

CHUNK_BYTES = 1 << 20
HEAD_BYTES = 64 * 1024
# One array item (a tweet, an activity) or CSV line: real ones are a few kilobytes, and
# a bigger one costs several times its size in memory while it is decoded and checked.
MAX_VALUE_CHARS = 1024 * 1024
BOM = b"\xef\xbb\xbf"

_JSON_WS = re.compile(r"[ \t\n\r]*")


class ByteSource:
    """A binary stream whose first bytes can be looked at before being read."""

    def __init__(self, stream: BinaryIO, max_bytes: int | None = None) -> None:
        self._stream = stream
        self._max_bytes = max_bytes
        self._read = 0
        self._head = b""
        self._head_read = False

    def _next(self, size: int) -> bytes:
        """Read up to ``size`` bytes, refusing the file once it is over ``max_bytes``."""
        chunk = self._stream.read(size)
        self._read += len(chunk)
        if self._max_bytes is not None and self._read > self._max_bytes:
            raise ArchiveImportError(
                _l(
                    "Le fichier dépasse %(size)s, la taille maximale d'une archive à importer.",
                    size=megabytes(self._max_bytes),
                )
            )
        return chunk

    def head(self) -> bytes:
        """Return the first bytes (some non-blank ones, unless the file is blank)."""
        if not self._head_read:
            self._head_read = True
            while True:
                chunk = self._next(HEAD_BYTES)
                self._head += chunk
                # Short reads are possible: go on until enough to recognise the format.
                if not chunk or len(self._head.removeprefix(BOM).lstrip()) >= 64:
                    break
        return self._head

    def read(self) -> bytes:
        """Return the next chunk, empty at the end."""
        self.head()
        if self._head:
            chunk, self._head = self._head, b""
            return chunk
        return self._next(CHUNK_BYTES)

    def lines(self) -> Iterator[bytes]:
        """Yield the lines, each with its b"\\n" ending (the last one may have none)."""
        pending = b""
        while chunk := self.read():
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield line + b"\n"
            if len(pending) > MAX_VALUE_CHARS:
                raise ArchiveImportError(
                    _l("Ligne anormalement longue : ce n'est pas un CSV de publications.")
                )
        if pending:
            yield pending


class JsonStream:
    """Walk a UTF-8 JSON text incrementally, decoding one value at a time."""

    def __init__(self, source: ByteSource) -> None:
        self._source = source
        self._utf8 = codecs.getincrementaldecoder("utf-8-sig")()
        self._decoder = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._eof = False

    def _fill(self) -> None:
        """Append the next chunk to the buffer, dropping what was already consumed."""
        chunk = self._source.read()
        self._eof = not chunk
        try:
            text = self._utf8.decode(chunk, final=self._eof)
        except UnicodeDecodeError:
            raise ArchiveImportError(_l("Le fichier n'est pas encodé en UTF-8.")) from None
        self._buf = self._buf[self._pos :] + text
        self._pos = 0

    def peek(self) -> str:
        """Return the next non-blank character without consuming it, "" at the end."""
        while True:
            blank = _JSON_WS.match(self._buf, self._pos)
            assert blank is not None  # the pattern matches the empty string
            self._pos = blank.end()
            if self._pos < len(self._buf) or self._eof:
                return self._buf[self._pos : self._pos + 1]
            self._fill()

    def startswith(self, pattern: re.Pattern[str], limit: int = 256) -> re.Match[str] | None:
        """Match a pattern at the current position (after blanks) and consume it."""
        self.peek()
        while len(self._buf) - self._pos < limit and not self._eof:
            self._fill()
        match = pattern.match(self._buf, self._pos)
        if match:
            self._pos = match.end()
        return match

    def expect(self, char: str, location: Any) -> None:
        """Consume the given punctuation character or refuse the file."""
        found = self.peek()
        if found != char:
            raise self._syntax_error(found, location)
        self._pos += 1

    def value(self, location: Any) -> Any:
        """Decode and consume the next JSON value, reading more input as needed."""
        self.peek()
        while True:
            try:
                obj, end = self._decoder.raw_decode(self._buf, self._pos)
            except RecursionError:
                raise ArchiveImportError(
                    _l("Données JSON imbriquées trop profondément : ce n'est pas une archive."),
                    location,
                ) from None
            except json.JSONDecodeError as exc:
                incomplete = (
                    exc.msg.startswith("Unterminated string") or exc.pos >= len(self._buf) - 16
                )
                if self._eof or not incomplete:
                    raise (
                        truncated(location) if self._eof and incomplete else malformed(location)
                    ) from None
                if len(self._buf) - self._pos > MAX_VALUE_CHARS:
                    raise ArchiveImportError(
                        _l("Un élément du fichier est anormalement volumineux."), location
                    ) from None
                self._fill()
                continue
            except ValueError:  # an integer of more than sys.get_int_max_str_digits() digits
                raise ArchiveImportError(
                    _l("Nombre anormalement long dans les données JSON."), location
                ) from None
            if end == len(self._buf) and not self._eof and isinstance(obj, int | float):
                self._fill()  # a number may go on in the next chunk
                continue
            self._pos = end
            return obj

    def items(self) -> Iterator[tuple[Any, Any]]:
        """Yield (location, value) for each item of the array starting here."""
        self.expect("[", None)
        if self.peek() == "]":
            self._pos += 1
            return
        for index in itertools.count(1):
            location = item(index)
            yield location, self.value(location)
            found = self.peek()
            if found == "]":
                self._pos += 1
                return
            if found != ",":
                raise self._syntax_error(found, _l("après l'élément %(number)s", number=index))
            self._pos += 1

    def keys(self) -> Iterator[str]:
        """Yield the keys of the object starting here; the caller reads each value."""
        self.expect("{", None)
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            key = self.value(None)
            if not isinstance(key, str):
                raise malformed(None)
            self.expect(":", None)
            yield key
            found = self.peek()
            if found == "}":
                self._pos += 1
                return
            if found != ",":
                raise self._syntax_error(found, None)
            self._pos += 1

    def finish(self, allow: str = "") -> None:
        """Refuse anything but blanks (and the ``allow`` characters) after the data."""
        while (found := self.peek()) and found in allow:
            self._pos += 1
        if found:
            raise ArchiveImportError(_l("Données inattendues après la fin des données JSON."))

    def _syntax_error(self, found: str, location: Any) -> ArchiveImportError:
        """Refuse the file, as truncated when the input ran out."""
        return truncated(location) if not found else malformed(location)


def truncated(location: Any) -> ArchiveImportError:
    """Build the refusal for a JSON file that stops in the middle of the data."""
    return ArchiveImportError(
        _l(
            "Le fichier est tronqué : il s'arrête au milieu des données "
            "(téléchargement incomplet ?)."
        ),
        location,
    )


def malformed(location: Any) -> ArchiveImportError:
    """Build the refusal for invalid JSON syntax."""
    return ArchiveImportError(_l("Le fichier JSON est mal formé."), location)
