"""Importers that turn real traces and host snapshots into ops of the command language: parsers only.

`strace_import` (strace -f output), `proc_import` (a /proc snapshot), `residency` (page-cache residency
as mincore measured it) and `din` (Dinero IV traces) take text, lines or data handed to them and put
steps on a sink (`steps`). Nothing here opens a file, stats a path or reads the host: that is the CLI's
(viz/cli/host/: the line source, the /proc reader, mincore), and so is writing the scenario out.
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
