#!/usr/bin/python3
"""A webhook receiver as plain as they come, for test-webhook: Python's http.server speaking
HTTP/1.1 (keep-alive), answering every POST 200 with its headers and its body in two writes and
no TCP_NODELAY (what stock http.server does). Prints its port, then serves until its stdin
closes (the test ended, even by an abort); GET /count answers how many connections sent a
POST."""
import http.server
import os
import socketserver
import sys
import threading

lock = threading.Lock()
posting = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global posting
        if not getattr(self, "counted", False):
            self.counted = True
            with lock:
                posting += 1
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.answer(b"{}")

    def do_GET(self):
        with lock:
            self.answer(str(posting).encode())

    def answer(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()  # the headers: one write
        self.wfile.write(body)  # the body: another

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()
os._exit(0)
