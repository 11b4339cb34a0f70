"""`cachescope serve`: the app in web browsers, for projecting in a classroom, through textual-serve.

Each browser that opens the page gets its own copy of the app (`python -m viz.cli SCENARIO`, run
with this Python so the same installation is used). It binds to 127.0.0.1 unless `--host` says
otherwise, says where it listens, and warns when other machines can connect. No app outlives its
browser, and a browser's terminal is at most 500x200 (viz/serve_guard.py).
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import socket
import sys
from pathlib import Path

from viz.cli.base import EXIT_OK, EXIT_USAGE, Parser, load_or_report
from viz.options import add_theme

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000


def serve_parser() -> argparse.ArgumentParser:
    """The options of `cachescope serve`."""
    parser = Parser(
        prog="cachescope serve",
        description="Serve the app to web browsers with textual-serve: each visitor gets their own copy, "
        "stepping through the scenario. Only this machine can connect unless --host says otherwise.",
    )
    parser.add_argument("scenario", nargs="?", help="built-in name or .toml file (default: the tour)")
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}, this machine only; 0.0.0.0 for every network)",
    )
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"TCP port (default: {DEFAULT_PORT})")
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use to reach this server, if not http://HOST:PORT (e.g. behind a proxy)",
    )
    add_theme(parser)
    return parser


def serve_command(args: list[str]) -> int:
    """`cachescope serve [SCENARIO] [--host H] [--port P] [--theme T] [--public-url URL]`."""
    options = serve_parser().parse_args(args)
    scenario = load_or_report(options.scenario)
    if scenario is None:
        return EXIT_USAGE
    try:
        addresses = _addresses(options.host, options.port)
        _check_free(addresses, options.port)
    except OSError as exc:
        print(f"cachescope serve: {exc}", file=sys.stderr)
        return EXIT_USAGE
    url = options.public_url or _url(options.host, options.port)
    command = app_command(options.scenario, options.theme)
    print(announcement(scenario.title, url, options.host, options.port, addresses), flush=True)
    from viz.serve_guard import GuardedServer  # late: the other subcommands need no web server

    server = GuardedServer(command, host=options.host, port=options.port, title=f"cachescope: {scenario.title}",
                    public_url=url)  # fmt: skip
    try:
        server.serve()
    except OSError as exc:
        print(
            f"cachescope serve: cannot listen on {options.host}:{options.port}: {exc.strerror or exc}", file=sys.stderr
        )
        return EXIT_USAGE
    return EXIT_OK


def announcement(title: str, url: str, host: str, port: int, addresses: list[str]) -> str:
    """What serve says on startup: where to point the browser, and who else can connect."""
    lines = [f"cachescope serve: {title!r} at {url}"]
    if all(ipaddress.ip_address(address).is_loopback for address in addresses):
        lines.append("  listening on this machine only (loopback); --host 0.0.0.0 lets other machines connect")
    else:
        lines.append(
            f"  warning: listening on {host}, reachable from other machines: anyone who can reach port {port} "
            "can open the page, and each visit starts a copy of the app on this machine"
        )
    return "\n".join(lines)


def app_command(scenario: str | None, theme: str | None) -> str:
    """The shell command textual-serve runs per visitor: this Python, this package, the same scenario."""
    argv = [sys.executable, "-m", "viz.cli"]
    if scenario is not None:
        path = Path(scenario)
        argv.append(str(path.resolve()) if path.is_file() else scenario)
    if theme is not None:
        argv += ["--theme", theme]
    return shlex.join(argv)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port {text!r} is not a number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is not between 1 and 65535")
    return port


def _addresses(host: str, port: int) -> list[str]:
    """The IP addresses `host` names (OSError with a readable message when it names none)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise OSError(f"cannot listen on {host!r}: {exc.strerror}") from None
    except UnicodeError:  # a name the IDNA codec refuses (not UTF-8, an empty label, too long)
        raise OSError(f"cannot listen on {host!r}: not a valid host name") from None
    return sorted({str(info[4][0]).split("%")[0] for info in infos})


def _check_free(addresses: list[str], port: int) -> None:
    """OSError naming the port when it cannot be bound (in use, or not allowed) on any of `addresses`."""
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
            try:
                probe.bind((address, port))
            except OSError as exc:
                raise OSError(
                    f"cannot listen on {address} port {port}: {exc.strerror}; choose another --port"
                ) from None


def _url(host: str, port: int) -> str:
    """The page's address; for a wildcard host, this machine's name (the browsers are elsewhere)."""
    shown = host
    try:
        if ipaddress.ip_address(host).is_unspecified:
            shown = socket.gethostname()
    except ValueError:
        pass
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"
