"""A mail server on loopback that takes its time: each message is accepted `delay` seconds after its
data arrives, as a slow or distant SMTP relay would. The deliveries benchmark and the tests that
prove no request waits for e-mail run it; it keeps every message it accepted.

    server = SlowSMTP(delay=2.0); server.port; server.messages; server.close()
"""

import socketserver
import threading
import time


class SlowSMTP:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.messages: list[bytes] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self) -> None:
                self.reply("220 slow-smtp ready")
                while line := self.rfile.readline():
                    verb = line.strip().split(b" ", 1)[0].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.reply("250 slow-smtp")
                    elif verb == b"DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        body = b""
                        while (chunk := self.rfile.readline()) and chunk != b".\r\n":
                            body += chunk
                        time.sleep(outer.delay)  # the relay's own pace, not the product's
                        with outer.lock:
                            outer.messages.append(body)
                        self.reply("250 accepted")
                    elif verb == b"QUIT":
                        self.reply("221 bye")
                        return
                    else:  # MAIL, RCPT, RSET, NOOP
                        self.reply("250 ok")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
