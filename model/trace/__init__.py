"""Importers that turn real traces and host snapshots into ops of the command language.

`strace_import` (strace -f output), `proc_import` (this machine's /proc), `residency` (page-cache
residency by mincore) and `din` (Dinero IV traces); `spool` writes their steps out as scenario TOML.
"""


class TraceFormatError(Exception):
    """The input is not in the format the importer reads; the message says what was expected."""
