"""Importers that turn real traces and host snapshots into ops of the command language.

`strace_import` (strace -f output), `proc_import` (this machine's /proc), `residency` (page-cache
residency by mincore) and `din` (Dinero IV traces); `spool` writes their steps out as scenario TOML.
"""


class TraceFormatError(Exception):
    """The input is not in the format the importer reads; the message says what was expected."""


def printable(text: str) -> str:
    """`text` safe to print on a terminal and to store: control characters and bytes that were not UTF-8
    (kept as surrogates when read) written as escapes (``\\x1b``, ``\\xff``)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as surrogateescape kept it
        return f"\\x{code - 0xDC00:02x}"
    return repr(ch)[1:-1]
