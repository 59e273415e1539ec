"""The local SMTP sink of `make run`: every email the platform sends is filed in a maildir.

    python deploy/local/mailsink.py --port 1025 --dir .cache/mail

The maildir's `tmp/`, `new/` and `cur/` are created when missing (an existing but
empty folder is a maildir to be, not an error), so the first email of a fresh
machine is filed like every other. Each message lands in `<dir>/new/` as one
`.eml`-like file; `--list` prints what is there, newest last.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import mailbox
import signal
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def open_maildir(folder: Path) -> mailbox.Maildir:
    """The maildir at `folder`, with its three subfolders made if they are not there."""
    for sub in ("tmp", "new", "cur"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return mailbox.Maildir(folder, create=False)


class MaildirSink:
    """An aiosmtpd handler that files every message it accepts."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.maildir = open_maildir(folder)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        # Made again on every message: the folder may have been emptied by hand meanwhile.
        self.maildir = open_maildir(self.folder)
        self.maildir.add(email.message_from_bytes(content, policy=email.policy.compat32))
        return "250 Message accepted for delivery"


def listing(folder: Path) -> list[str]:
    """One line per filed message: when, to whom, its subject (oldest first)."""
    open_maildir(folder)
    files = [p for sub in ("new", "cur") for p in (folder / sub).iterdir() if p.is_file()]
    lines = []
    for path in sorted(files, key=lambda p: p.stat().st_mtime):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        lines.append(f"{message['Date'] or '-'}  {message['To']}  {message['Subject']}  {path}")
    return lines


async def serve(host: str, port: int, folder: Path) -> None:
    controller = Controller(MaildirSink(folder), hostname=host, port=port)
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", type=Path, default=Path(".cache/mail"))
    parser.add_argument("--list", action="store_true", help="list the filed messages and exit")
    args = parser.parse_args()
    if args.list:
        for line in listing(args.dir):
            print(line)
        return
    asyncio.run(serve(args.host, args.port, args.dir))


if __name__ == "__main__":
    main()
