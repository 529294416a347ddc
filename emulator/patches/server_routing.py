"""The backend of each request, looked up once per host.

moto 5.2.1's server finds the backend that answers a request by listing moto's package directory
(one `stat` per service module) and then matching the request's host against every service's URL
patterns: about 0.7 ms of every request, spent while holding the dispatcher's lock. The answer
depends on the host alone, and the hosts a server sees are few (one per service and region), so it
is kept after the first request of each host. What the server answers is unchanged.
"""

from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication


def apply() -> None:
    lookup = DomainDispatcherApplication.get_backend_for_host
    found: dict[str, Any] = {}

    def get_backend_for_host(self: DomainDispatcherApplication, host: str | None) -> Any:
        if host is None:
            return None
        if host not in found:
            found[host] = lookup(self, host)
        return found[host]

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]
