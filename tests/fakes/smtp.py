"""A fake SMTP server on loopback: accepts every message and keeps it (``messages``), so a test
can count what a worker process sent by the ``X-Govhub-Message`` header."""

from __future__ import annotations

import email
import socketserver
import threading


class FakeSmtp:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()
        self._server: socketserver.ThreadingTCPServer | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def count(self, header_value: str) -> int:
        with self.lock:
            return sum(1 for m in self.messages if m.get("X-Govhub-Message") == header_value)

    def start(self) -> FakeSmtp:
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write((line + "\r\n").encode())

            def handle(self):
                self.reply("220 fake.smtp ESMTP")
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    cmd = line.decode("utf-8", "replace").strip().upper()
                    if cmd.startswith(("EHLO", "HELO")):
                        self.reply("250-fake.smtp")
                        self.reply("250 8BITMIME")
                    elif cmd.startswith("DATA"):
                        self.reply("354 end with .")
                        lines = []
                        while True:
                            data = self.rfile.readline()
                            if not data or data in (b".\r\n", b".\n"):
                                break
                            lines.append(data[1:] if data.startswith(b"..") else data)
                        msg = email.message_from_bytes(b"".join(lines))
                        with fake.lock:
                            fake.messages.append(msg)
                        self.reply("250 queued")
                    elif cmd.startswith("QUIT"):
                        self.reply("221 bye")
                        return
                    else:  # MAIL, RCPT, RSET, NOOP
                        self.reply("250 ok")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
