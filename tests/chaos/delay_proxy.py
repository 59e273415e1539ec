"""A TCP proxy that can hold every request back: the chaos suite's slow peer.

    python tests/chaos/delay_proxy.py --listen PORT --to HOST:PORT --delay-s 2

Bytes from the client wait `--delay-s` before they go on while the proxy is slow
(SIGUSR1 makes it slow, SIGUSR2 fast again); answers come back at once. Put in
front of the consent service, it makes every decision arrive there late, as a
consent service under strain would be seen by its callers. When it is fast again it
prints `held=N`: how many requests' bytes it held back while it was slow (one proxy per
caller, so a test knows that caller met the slowness).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal


class Proxy:
    def __init__(self, host: str, port: int, delay_s: float) -> None:
        self.host, self.port, self.delay_s = host, port, delay_s
        self.slow = False
        self.held = 0

    async def pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, hold: bool
    ) -> None:
        try:
            while data := await reader.read(65536):
                if hold and self.slow:
                    self.held += 1
                    await asyncio.sleep(self.delay_s)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    def slow_down(self) -> None:
        self.slow, self.held = True, 0

    def speed_up(self) -> None:
        self.slow = False
        print(f"held={self.held}", flush=True)

    async def serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(self.host, self.port)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(
            self.pipe(client_r, server_w, hold=True), self.pipe(server_r, client_w, hold=False)
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--to", required=True)
    parser.add_argument("--delay-s", type=float, default=2.0)
    args = parser.parse_args()
    host, _, port = args.to.rpartition(":")
    proxy = Proxy(host, int(port), args.delay_s)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, proxy.slow_down)
    loop.add_signal_handler(signal.SIGUSR2, proxy.speed_up)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    server = await asyncio.start_server(proxy.serve, "127.0.0.1", args.listen)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
