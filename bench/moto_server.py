"""moto server for the send benches, as shipped or with its per-request folder listing cached.

`python bench/moto_server.py PORT [--cached-listing]` serves moto on 127.0.0.1 as
`moto_server -H 127.0.0.1 -p PORT` does, without werkzeug's line on stderr per
request (the benches throw that output away; writing it is ≈5 % of moto's CPU a
message).

Why a second mode: moto routes every request by asking, among other things,
whether the service's name is one of its own packages — and answers that by
listing its package folder and calling `isdir` on each entry, on every request
(`moto.backends.list_of_moto_modules`, through
`DomainDispatcherApplication.get_backend_for_host`). For SES v2 ("sesv2", late in
the alphabet) that is ≈170 `stat` calls a request. On this machine type a `stat`
costs ≈4 µs, so the listing is ≈0.8 ms of moto's ≈4.3 ms of CPU per message of our
edition, and moto's ceiling falls from ≈300 messages/s (what issue 22 takes as
moto's own) to ≈240. `--cached-listing` lists the folder once at start: the
folder does not change while the server runs, so moto answers every request
exactly as before. It is a faster reference server, nothing of ours: the benches
print both, and the target's verdict against moto as shipped stays on record.
"""

from __future__ import annotations

import argparse
import logging
import time


def cache_package_listing() -> None:
    """Make moto list its package folder once instead of on every request."""
    import moto.backends

    listed = tuple(moto.backends.list_of_moto_modules())
    moto.backends.list_of_moto_modules = lambda: iter(listed)


def listing_cost_ms(repeats: int = 200) -> tuple[int, float]:
    """(entries, ms) of one listing as moto does it per request to SES v2, in this process."""
    from moto.backends import list_of_moto_modules

    entries = sum(1 for _ in list_of_moto_modules())
    started = time.perf_counter()
    for _ in range(repeats):
        _ = "sesv2" in list_of_moto_modules()
    return entries, (time.perf_counter() - started) * 1000 / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--cached-listing", action="store_true")
    args = parser.parse_args()
    from moto.server import main as moto_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if args.cached_listing:
        cache_package_listing()
    moto_server(["-H", "127.0.0.1", "-p", str(args.port)])


if __name__ == "__main__":
    main()
