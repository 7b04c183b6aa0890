"""The one check for a leaked token, shared by every test that hands mlscaffold one.

A token can leak as written, in another case, in part (a server echoing a piece
of it), base64-encoded (git's ``Authorization: basic`` header carries
``x-access-token:TOKEN``; a user name or password field carries the token
alone, or with anything before or after it), or URL-encoded (a query string, a
remote URL). ``token_forms`` lists them; ``find_leaks`` looks for them in
what was printed and in the files a run left.
"""

from __future__ import annotations

import base64
import urllib.parse
from collections.abc import Iterable
from pathlib import Path

# In printed text, any run of this many characters of a form counts as a leak.
PIECE = 12


def _inside_base64(data: bytes) -> set[bytes]:
    """The base64 characters that encode only *data*'s bytes, wherever it starts in a longer text.

    Base64 encodes 3 bytes as 4 characters, so *data* preceded by 0, 1 or 2
    other bytes (mod 3) is encoded in three different ways; the characters
    whose six bits all come from *data* are the same in any text that holds it.
    """
    found = set()
    for before in range(3):
        encoded = base64.b64encode(b"\0" * before + data)
        first = -(-8 * before // 6)  # the first character made of *data*'s bits alone
        last = 8 * (before + len(data)) // 6  # past the last such character
        for alphabet in (encoded, encoded.translate(bytes.maketrans(b"+/", b"-_"))):
            found.add(alphabet[first:last])
    return found


def token_forms(token: str) -> list[bytes]:
    """Every form in which *token* could leak, as bytes (see the module's docstring)."""
    raw = token.encode()
    forms = {
        raw,
        urllib.parse.quote(token, safe="").encode(),
        urllib.parse.quote_plus(token).encode(),
        base64.b64encode(raw),
    }
    # The token inside base64 text, after or before anything: "x-access-token:TOKEN" as git
    # sends it included (whose "x-access-token:" part alone gives nothing away).
    forms |= _inside_base64(raw)
    return sorted(form for form in forms if form)


def _pieces(forms: Iterable[bytes]) -> set[str]:
    return {
        form[i : i + PIECE].decode().lower()
        for form in forms
        for i in range(max(1, len(form) - PIECE + 1))
    }


def find_leaks(
    tokens: Iterable[str], outputs: Iterable[str] = (), folders: Iterable[Path] = ()
) -> list[str]:
    """Say where any form of *tokens* is: in *outputs* (any piece, any case) or a file of *folders*.

    Returns one line for each leak found; an empty list means none.
    """
    forms = [form for token in tokens for form in token_forms(token)]
    if not forms:
        return []
    found = []
    pieces = _pieces(forms)
    for number, output in enumerate(outputs):
        lowered = output.lower()
        for piece in sorted(pieces):
            if piece in lowered:
                found.append(f"output {number} holds a piece of a token: {piece!r}")
                break
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                if any(form in data for form in forms):
                    found.append(f"a token leaked into {path}")
    return found


def assert_no_leak(
    tokens: Iterable[str], outputs: Iterable[str] = (), folders: Iterable[Path] = ()
) -> None:
    """Fail the test, saying where, if any form of *tokens* is in *outputs* or *folders*."""
    found = find_leaks(tokens, outputs, folders)
    assert not found, "\n".join(found)
