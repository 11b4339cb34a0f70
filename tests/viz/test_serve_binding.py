"""`cachescope serve` binds to localhost unless told otherwise (issue 10: safety)."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from viz import serve


class FakeServer:
    """Stands in for the guarded textual-serve Server: records where it was asked to listen, serves nothing."""

    created: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, command: str, **options: Any) -> None:
        FakeServer.created.append(options)

    def serve(self) -> None:
        return None


def test_serve_listens_on_the_loopback_address_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import viz.serve_guard

    FakeServer.created.clear()
    monkeypatch.setattr(viz.serve_guard, "GuardedServer", FakeServer)
    monkeypatch.setattr(serve, "_check_free", lambda addresses, port: None)
    assert serve.serve_command(["tour"]) == 0
    assert [options["host"] for options in FakeServer.created] == ["127.0.0.1"]
    assert "this machine only" in capsys.readouterr().out
    assert serve.serve_parser().parse_args([]).host == "127.0.0.1"
