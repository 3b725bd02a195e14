"""A MongoDB-wire proxy in front of FerretDB that lets one write command run at a time.

FerretDB 1.x executes an update as "query the documents, then write them back" with no
transaction around the two (internal/handler/msg_update.go), so two concurrent updates of
one document lose one of them: four threads doing 300 ``$inc`` each on one document ended
with 172 and 107 instead of 600 and 600. MongoDB applies each single-document write
atomically, and the platform relies on that (outbox removal next to a state change,
capacity counters, leases). Serialising write commands on the local stack restores it.
Writes are serialised per database (the ``$db`` of the command): each service owns one
database, which FerretDB keeps in its own SQLite file, so one service's backlog of
writes never delays another's. Reads pass straight through. Production runs MongoDB and
needs none of this.

    python write_guard.py --listen 127.0.0.1:27017 --upstream /path/to/ferretdb.sock
"""
from __future__ import annotations

import argparse
import asyncio
import signal

OP_MSG = 2013
MORE_TO_COME = 1 << 1
WRITE_COMMANDS = {
    b"insert", b"update", b"delete", b"findAndModify", b"findandmodify", b"create", b"drop", b"dropDatabase",
    b"createIndexes", b"dropIndexes", b"renameCollection", b"collMod",
}


async def read_message(reader: asyncio.StreamReader) -> bytes:
    header = await reader.readexactly(16)
    length = int.from_bytes(header[:4], "little")
    return header + await reader.readexactly(length - 16)


def opcode(message: bytes) -> int:
    return int.from_bytes(message[12:16], "little")


def flags(message: bytes) -> int:
    return int.from_bytes(message[16:20], "little") if opcode(message) == OP_MSG else 0


def database_name(message: bytes) -> bytes:
    """The ``$db`` of an OP_MSG command (``b""`` when absent): the body is a BSON
    document whose ``$db`` element is a string (type 0x02: int32 length, bytes, NUL)."""
    marker = message.find(b"\x02$db\x00", 20)
    if marker < 0:
        return b""
    start = marker + len(b"\x02$db\x00")
    length = int.from_bytes(message[start:start + 4], "little")
    return message[start + 4:start + 4 + length - 1]


def command_name(message: bytes) -> bytes | None:
    """The first key of the OP_MSG body section: the command's name."""
    if opcode(message) != OP_MSG:
        return None
    position = 20
    while position < len(message):
        kind = message[position]
        if kind == 0:
            name_start = position + 1 + 4 + 1
            return message[name_start:message.index(b"\x00", name_start)]
        size = int.from_bytes(message[position + 1:position + 5], "little")
        position += 1 + size
    return None


class Guard:
    def __init__(self, upstream: str):
        self.upstream = upstream
        self.write_locks: dict[bytes, asyncio.Lock] = {}

    async def serve_client(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_unix_connection(self.upstream)
        except OSError:
            client_writer.close()
            return
        try:
            while True:
                request = await read_message(client_reader)
                if command_name(request) in WRITE_COMMANDS:
                    async with self.write_locks.setdefault(database_name(request), asyncio.Lock()):
                        await self._exchange(request, server_reader, server_writer, client_writer)
                else:
                    await self._exchange(request, server_reader, server_writer, client_writer)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            for writer in (client_writer, server_writer):
                writer.close()

    @staticmethod
    async def _exchange(request: bytes, server_reader, server_writer, client_writer) -> None:
        server_writer.write(request)
        await server_writer.drain()
        if flags(request) & MORE_TO_COME:
            return
        while True:
            reply = await read_message(server_reader)
            client_writer.write(reply)
            await client_writer.drain()
            if not flags(reply) & MORE_TO_COME:
                return


async def main(listen: str, upstream: str) -> None:
    host, _, port = listen.rpartition(":")
    guard = Guard(upstream)
    server = await asyncio.start_server(guard.serve_client, host, int(port))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True)
    parser.add_argument("--upstream", required=True, help="FerretDB's Unix socket")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.listen, arguments.upstream))
