"""The loopback publishers of bench/collect.py: N generated feeds on H addresses, 100 ms away.

Its own module so the collect benchmark reads as the runs it times. The server
runs in its own process (it must not share our GIL or count in our memory),
waits `latency` before every response the way a real publisher's round trip
does, honours `If-None-Match`, gzips when asked, and counts the body bytes it
sends, so "warm transfers zero bodies" is measured at the server, not assumed.
"""

from __future__ import annotations

import gzip
import json
import multiprocessing
import random
import socket
import threading
import time
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

DAY = date(2026, 2, 3)  # send moment 2026-02-03 07:00 KST = 2026-02-02 22:00 UTC
END = datetime(2026, 2, 2, 22, 0, tzinfo=UTC)
NOW = END - timedelta(minutes=30)
LATENCY = 0.100

_ENGLISH = """model chip cloud open source release security patch startup funding robot battery
quantum network browser privacy court ruling regulator launch update benchmark agent compiler
database kernel vulnerability satellite display memory smartphone datacenter"""
_KOREAN = "반도체 인공지능 클라우드 보안 스타트업 투자 로봇 배터리 양자 네트워크 규제 출시"
WORDS = _ENGLISH.split()
KOREAN = _KOREAN.split()


# -- the feeds --------------------------------------------------------------------------------


def make_feed(index: int, items: int, seed: int = 7) -> bytes:
    """One RSS 2.0 feed: an entry per hour back from NOW, ~1.5 kB of HTML each."""
    rng = random.Random(seed * 100_003 + index)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel><title>Bench feed {index}</title><link>https://feed{index}.example/</link>",
    ]
    for n in range(items):
        korean = index % 4 == 0
        words = rng.sample(KOREAN if korean else WORDS, 6)
        title = " ".join(words).capitalize() + f" {index}-{n}"
        published = NOW - timedelta(minutes=60 * n + rng.randint(0, 50))
        paragraphs = "".join(
            f"<p>{' '.join(rng.choices(KOREAN if korean else WORDS, k=40))}. "
            f'<a href="/ref/{n}?utm_source=rss">more</a></p>'
            for _ in range(4)
        )
        parts.append(
            "<item>"
            f"<title>{escape(title)}</title>"
            f"<link>https://feed{index}.example/post/{n}?utm_medium=rss</link>"
            f'<guid isPermaLink="false">feed{index}-{n}</guid>'
            f"<pubDate>{format_datetime(published)}</pubDate>"
            f"<description>{escape(paragraphs[:300])}</description>"
            f"<content:encoded><![CDATA[{paragraphs}<script>track()</script>]]></content:encoded>"
            "</item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


# -- the server (own process) --------------------------------------------------------------------


def host(index: int, hosts: int) -> str:
    """The loopback address feed `index` is served from."""
    return f"127.0.0.{2 + index % hosts}"


def serve(
    port_out: multiprocessing.Queue, feeds: int, hosts: int, items: int, latency: float
) -> None:
    bodies = {f"/feed/{i}.xml": make_feed(i, items) for i in range(feeds)}
    zipped = {path: gzip.compress(body, 5) for path, body in bodies.items()}
    stats = {"requests": 0, "bodies": 0, "body_bytes": 0, "not_modified": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # What real servers do (nginx's `tcp_nodelay on`): without it, the body written
            # after the headers on a kept-alive connection waits for the client's delayed
            # ACK, adding ~40 ms to every response but a connection's first.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/_stats":
                with lock:
                    payload = json.dumps(stats).encode()
                    for key in stats:
                        stats[key] = 0
                self._send(200, payload, {"Content-Type": "application/json"})
                return
            time.sleep(latency)
            body = bodies.get(self.path)
            if body is None:
                self._send(404, b"not found", {})
                return
            etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
            with lock:
                stats["requests"] += 1
            if self.headers.get("If-None-Match") == etag:
                with lock:
                    stats["not_modified"] += 1
                self._send(304, b"", {"ETag": etag})
                return
            headers = {"ETag": etag, "Content-Type": "application/rss+xml; charset=utf-8"}
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                body = zipped[self.path]
                headers["Content-Encoding"] = "gzip"
            with lock:
                stats["bodies"] += 1
                stats["body_bytes"] += len(body)
            self._send(200, body, headers)

        def _send(self, code: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(code)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if code != 304:
                self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256

    first = Server((host(0, hosts), 0), Handler)
    port = first.server_address[1]
    servers = [first] + [Server((host(i, hosts), port), Handler) for i in range(1, hosts)]
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    port_out.put(port)
    first.serve_forever()


class FeedServer:
    def __init__(self, feeds: int, hosts: int, items: int, latency: float = LATENCY) -> None:
        queue: multiprocessing.Queue = multiprocessing.Queue()
        self.process = multiprocessing.Process(
            target=serve, args=(queue, feeds, hosts, items, latency), daemon=True
        )
        self.process.start()
        self.port = queue.get(timeout=300)
        self.feeds, self.hosts = feeds, hosts

    def urls(self) -> list[str]:
        return feed_urls(self.port, self.feeds, self.hosts)

    def stats(self) -> dict[str, int]:
        import urllib.request

        with urllib.request.urlopen(f"http://{host(0, 1)}:{self.port}/_stats") as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        self.process.join()


def feed_urls(port: int, feeds: int, hosts: int) -> list[str]:
    return [f"http://{host(i, hosts)}:{port}/feed/{i}.xml" for i in range(feeds)]
