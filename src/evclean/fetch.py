"""fetch: turn an input (file or stdin) into text.

The only stage with I/O. Bytes become text by, in order: a byte-order mark; the charset
declared by the caller (an HTTP header) or in ``<meta charset>``, unless the bytes prove
it wrong; then detection. A page that is valid UTF-8 is read as UTF-8; a page that is not
(usually Windows-1252 with no declaration) goes to charset-normalizer.
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import InputError

#: Inputs larger than this are refused rather than read into memory (library default).
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
#: The cap of the command line and of batches (``--max-bytes``): files, stdin and
#: downloads, compressed and decompressed alike.
BATCH_MAX_BYTES = 10_000_000

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
# Magic numbers of formats that are certainly not HTML.
_BINARY_MAGIC = (
    b"%PDF-",
    b"\x89PNG",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x7fELF",
    b"RIFF",
    b"OggS",
    b"ID3",
)
# Labels that browsers treat as Windows-1252 (WHATWG Encoding Standard).
_CP1252_LABELS = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii",
                  "windows-1252", "cp1252", "x-cp1252"}
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Page:
    """A page read from an input: its name (for messages), text, and URL if known."""

    name: str
    text: str
    url: str | None = None


def _normalize_label(label: str) -> str | None:
    label = label.strip().lower()
    if label in _CP1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _detect(data: bytes) -> str:
    """Guess the encoding of bytes that are not UTF-8."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    guess = best.encoding if best is not None else None
    if guess and guess.replace("_", "-").startswith(("utf-16", "utf-32")):
        guess = None  # markup is ASCII: a page in UTF-16 without a BOM would look binary
    # Untagged non-UTF-8 pages on the web are overwhelmingly Windows-1252; detectors
    # confuse it with its single-byte cousins on short texts, so prefer it whenever the
    # guess is another Latin single-byte code page and the bytes are valid cp1252.
    if guess and not _single_byte_latin(guess) and _isolated_high_bytes(data):
        guess = None  # multi-byte encodings put high bytes in runs; Latin text does not
    if guess is None or _single_byte_latin(guess):
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:
            return guess or "cp1252"
        return "cp1252"
    return guess


def _isolated_high_bytes(data: bytes) -> bool:
    """Whether most non-ASCII bytes stand alone between ASCII ones, as accents do."""
    runs = re.findall(rb"[\x80-\xff]+", data)
    return bool(runs) and sum(len(r) == 1 for r in runs) > 0.8 * len(runs)


def _single_byte_latin(encoding: str) -> bool:
    name = codecs.lookup(encoding).name
    return name.startswith(("cp125", "iso8859", "latin", "mac-", "mac_", "cp437", "cp850"))


def decode(data: bytes, declared: str | None = None) -> str:
    """Decode page bytes to text.

    ``declared`` is a charset from outside the page (an HTTP header). A declaration,
    outside or in ``<meta>``, is believed unless the bytes contradict it: a page declared
    UTF-8 that is not valid UTF-8 goes to detection, and a page declared as a Latin
    single-byte charset that is valid UTF-8 with non-ASCII characters is read as UTF-8.

    >>> decode("caf\\u00e9".encode("cp1252"))
    'café'
    >>> decode(codecs.BOM_UTF8 + "naïve".encode())
    'naïve'
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    utf8 = _is_utf8(data)
    labels = [declared] if declared else []
    meta = _META_CHARSET.search(data[:4096])
    if meta:
        labels.append(meta.group(1).decode("ascii", "replace"))
    for label in labels:
        codec = _normalize_label(label)
        if codec is None:
            continue
        if codec.startswith("utf-8") or codec == "utf_8":
            if utf8:
                return data.decode("utf-8")
            continue  # declared UTF-8 but is not: detect
        if codec.startswith(("utf-16", "utf-32")):
            continue  # a page that reached us as bytes with no BOM is not UTF-16
        if utf8 and not data.isascii() and _single_byte_latin(codec):
            return data.decode("utf-8")  # the declaration is wrong
        return data.decode(codec, errors="replace")
    if utf8:
        return data.decode("utf-8")
    return data.decode(_detect(data), errors="replace")


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith(_BINARY_MAGIC):
        return True
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    # Text has few control characters; a NUL here and there is damage, not binary.
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.1


def _gunzip(data: bytes, name: str, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise InputError(f"{name}: not a valid gzip file ({exc})") from None
    if len(out) > max_bytes:
        raise InputError(f"{name}: decompressed size is over the limit of {max_bytes:,} bytes")
    if not inflater.eof:
        raise InputError(f"{name}: not a valid gzip file (truncated)")
    return out


def bytes_to_text(data: bytes, name: str, declared: str | None = None,
                  max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Check that ``data`` is a page and decode it, raising :class:`InputError` if not."""
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip(data, name, max_bytes)
    if not data.strip():
        raise InputError(f"{name}: empty input")
    if _looks_binary(data):
        raise InputError(f"{name}: binary data, not an HTML page")
    text = decode(data, declared)
    return text.replace("\x00", "")


def read_path(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Page:
    """Read one file (plain or gzip-compressed) as a page."""
    name = str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError(f"{name}: is a folder with no HTML files")
        if size > max_bytes:
            raise InputError(f"{name}: {size:,} bytes is over the limit of {max_bytes:,}")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a folder") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    return Page(name=name, text=bytes_to_text(data, name, max_bytes=max_bytes))


def read_stream(stream: BinaryIO, name: str = "<stdin>", url: str | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES) -> Page:
    """Read a page from a binary stream such as ``sys.stdin.buffer``."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"{name}: input is over the limit of {max_bytes:,} bytes")
    return Page(name=name, text=bytes_to_text(data, name, max_bytes=max_bytes), url=url)


def html_files(folder: Path) -> list[Path]:
    """The ``*.htm``, ``*.html`` (and gzip-compressed) files below ``folder``, sorted."""
    suffixes = (".html", ".htm", ".html.gz", ".htm.gz", ".xhtml")
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.name.lower().endswith(suffixes)
    )


__all__ = [
    "DEFAULT_MAX_BYTES",
    "Page",
    "bytes_to_text",
    "decode",
    "html_files",
    "read_path",
    "read_stream",
]
