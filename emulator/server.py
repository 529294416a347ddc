"""Local AWS emulator for efs-reconciler: moto's server with corrections, on a loopback port.

Usage: python emulator/server.py PORT [--host 127.0.0.1] [--exit-on-stdin-eof] [--verbose]

PORT 0 lets the operating system choose a free port. Once the socket listens, one line
`EFS_RECONCILER_EMULATOR_READY http://HOST:PORT` goes to stdout.

Besides moto's own API (`/moto-api/reset`, …) the server answers:
  GET  /efs-reconciler/health  -> {"status": "ok", "moto": VERSION}
  GET  /efs-reconciler/config  -> the test knobs
  POST /efs-reconciler/config  {"mountTargetCreatingDescribes": N} -> the test knobs after the change
                               {"faults": {...} | null} -> fault injection (patches/faults.py)
  GET  /efs-reconciler/faults  -> the fault configuration and every fault injected since it was set
  POST /efs-reconciler/reset   -> wipes every resource and restores the knobs' defaults
"""

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

REQUIRED_MOTO_VERSION = "5.2.1"
READY_PREFIX = "EFS_RECONCILER_EMULATOR_READY"
CONTROL_PREFIX = "/efs-reconciler/"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _json_response(start_response: StartResponse, status: str, body: Any) -> list[bytes]:
    payload = json.dumps(body).encode("utf-8")
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


class ControlApp:
    """Routes `/efs-reconciler/*` to the test controls and everything else to moto."""

    def __init__(self, moto_app: WsgiApp, moto_version: str):
        self._moto_app = moto_app
        self._moto_version = moto_version

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(CONTROL_PREFIX):
            from patches import faults

            injected = faults.intercept(environ, start_response)
            return injected if injected is not None else self._moto_app(environ, start_response)

        from patches import control, faults

        method = environ.get("REQUEST_METHOD", "GET")
        route = path[len(CONTROL_PREFIX) :].rstrip("/")
        if route == "health" and method == "GET":
            return _json_response(start_response, "200 OK", {"status": "ok", "moto": self._moto_version})
        if route == "config" and method == "GET":
            return _json_response(start_response, "200 OK", control.snapshot())
        if route == "config" and method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                values = json.loads(environ["wsgi.input"].read(length) or b"{}")
                return _json_response(start_response, "200 OK", control.update(values))
            except (ValueError, control.ConfigError) as err:
                return _json_response(start_response, "400 Bad Request", {"error": str(err)})
        if route == "faults" and method == "GET":
            return _json_response(start_response, "200 OK", faults.report())
        if route == "reset" and method == "POST":
            control.reset_everything()
            return _json_response(start_response, "200 OK", {"status": "reset"})
        return _json_response(
            start_response,
            "404 Not Found",
            {"error": f"no control route {method} {path}; see emulator/server.py for the routes"},
        )


def _exit_when_stdin_closes() -> None:
    """Ends the process when its parent goes away (the parent holds the other end of stdin)."""
    # os.read on the raw descriptor: a buffered reader would hold its lock at shutdown.
    try:
        while os.read(0, 4096):
            pass
    finally:
        os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="moto server with efs-reconciler's corrections")
    parser.add_argument("port", type=int, help="port to listen on (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--exit-on-stdin-eof", action="store_true", help="exit when stdin reaches end of file")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args(argv)

    import moto

    if moto.__version__ != REQUIRED_MOTO_VERSION:
        sys.stderr.write(
            f"efs-reconciler emulator needs moto {REQUIRED_MOTO_VERSION}, found {moto.__version__}: "
            "run `npm run setup` (or `pip install -r emulator/requirements.txt`)\n"
        )
        sys.exit(2)

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    import patches

    patches.apply_all()

    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    moto_app = DomainDispatcherApplication(create_backend_app)
    server = make_server(args.host, args.port, ControlApp(moto_app, moto.__version__), threaded=True)
    port = server.server_port
    # moto addresses itself through MOTO_PORT for a few cross-service calls.
    os.environ["MOTO_PORT"] = str(port)

    def stop(_signum: int, _frame: Any) -> None:
        # All state is in memory: nothing to save, so skip the slow interpreter shutdown.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_on_stdin_eof:
        threading.Thread(target=_exit_when_stdin_closes, name="stdin-watch", daemon=True).start()

    sys.stdout.write(f"{READY_PREFIX} http://{args.host}:{port}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
