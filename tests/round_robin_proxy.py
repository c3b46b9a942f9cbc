"""A small reverse proxy for the replica tests: round robin over upstreams, the next one on a connection error.

It plays the load balancer in front of several ``kg serve`` replicas (nginx's ``proxy_next_upstream
error``): each request goes to the next upstream in turn; when that one cannot be reached or drops
the connection before answering, the same request is sent to the following one. Answers are
relayed as they are (status, headers, body). It serves on a free port of 127.0.0.1 in a thread.
"""

from __future__ import annotations

import http.client
import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["RoundRobinProxy"]

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class RoundRobinProxy:
    """Round-robin reverse proxy with retry on connection errors.

    Parameters
    ----------
    upstreams : list of (str, int)
        Host and port of each replica.

    Attributes
    ----------
    url : str
        Where it serves, ``http://127.0.0.1:PORT``.
    served : list of int
        For each request relayed, the index of the upstream that answered it.
    retries : int
        How many times a request was sent again to another upstream.
    """

    def __init__(self, upstreams: list[tuple[str, int]]) -> None:
        self.upstreams = upstreams
        self.served: list[int] = []
        self.retries = 0
        turn = itertools.count()
        lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _relay(self) -> None:
                if not proxy.upstreams:
                    self.send_error(503, "no upstream yet")
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                with lock:
                    first = next(turn) % len(proxy.upstreams)
                for step in range(len(proxy.upstreams)):
                    index = (first + step) % len(proxy.upstreams)
                    host, port = proxy.upstreams[index]
                    connection = http.client.HTTPConnection(host, port, timeout=30)
                    try:
                        connection.request(self.command, self.path, body=body, headers=headers)
                        answer = connection.getresponse()
                        payload = answer.read()
                    except (ConnectionError, http.client.RemoteDisconnected, OSError):
                        with lock:
                            proxy.retries += 1
                        continue
                    finally:
                        connection.close()
                    with lock:
                        proxy.served.append(index)
                    self.send_response(answer.status)
                    head = self.command == "HEAD"  # no body, the GET's Content-Length
                    for key, value in answer.getheaders():
                        if key.lower() not in _HOP_BY_HOP and (head or key.lower() != "content-length"):
                            self.send_header(key, value)
                    if not head:
                        self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                self.send_error(502, "no upstream answered")

            do_GET = do_POST = do_HEAD = _relay

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
