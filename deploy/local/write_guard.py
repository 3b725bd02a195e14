"""A MongoDB-wire proxy in front of FerretDB that lets one write command run at a time.

FerretDB 1.x executes an update as "query the documents, then write them back" with no
transaction around the two (internal/handler/msg_update.go), so two concurrent updates of
one document lose one of them: four threads doing 300 ``$inc`` each on one document ended
with 172 and 107 instead of 600 and 600. MongoDB applies each single-document write
atomically, and the platform relies on that (outbox removal next to a state change,
capacity counters, leases). Serialising write commands on the local stack restores it.
Writes are serialised per database (the ``$db`` of the command): each service owns one
database, which FerretDB keeps in its own SQLite file, so one service's backlog of
writes never delays another's. Reads pass straight through.

FerretDB 1.x also wedges on a command carrying 100 or more updates of existing documents
(one ``bulk_write`` of 100 ``UpdateOne``): it never answers, and every later write to that
database waits behind it until FerretDB restarts (measured on 1.24: 99 updates answer in
0.2 s, 100 never; 600 matched by one ``update_many``, 150 upserts of new documents and
120 deletes are fine). Drivers split a bulk into commands of at most the
``maxWriteBatchSize`` the server states in its handshake, so the guard states
``WRITE_BATCH_LIMIT`` there instead of FerretDB's 100,000: every bulk write of every
service reaches FerretDB in commands it can answer, and no caller has to know.

FerretDB 1.x answers an update command that met a write error (an upsert's E11000) with
``writeErrors`` but no ``nModified``, which MongoDB always sends; pymongo reads that count
before the errors and raises ``KeyError('nModified')`` instead of ``BulkWriteError``, so a
caller that expects the duplicate (an inbox delivery met again) fails. The guard adds
``nModified: 0`` to such a reply (``with_modified_count``).

Production runs MongoDB and needs none of this.

    python write_guard.py --listen 127.0.0.1:27017 --upstream /path/to/ferretdb.sock
"""
from __future__ import annotations

import argparse
import asyncio
import signal

OP_MSG = 2013
OP_QUERY = 2004
CHECKSUM_PRESENT = 1 << 0
MORE_TO_COME = 1 << 1
HANDSHAKE_COMMANDS = {b"hello", b"isMaster", b"ismaster"}
WRITE_BATCH_LIMIT = 50
_MAX_WRITE_BATCH = b"maxWriteBatchSize\x00"
_MODIFIED = b"nModified\x00"
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


def is_handshake(message: bytes) -> bool:
    """True for a driver's handshake (``hello``/``isMaster``; a legacy OP_QUERY is only
    ever one), whose reply states the server's limits."""
    return opcode(message) == OP_QUERY or command_name(message) in HANDSHAKE_COMMANDS


def limit_write_batch(reply: bytes, limit: int = WRITE_BATCH_LIMIT) -> bytes:
    """``reply`` with its ``maxWriteBatchSize`` (a BSON int32 or int64) lowered to
    ``limit``, in place (same length, so no length field changes); unchanged when it
    states no larger size, or carries a checksum the change would break."""
    if flags(reply) & CHECKSUM_PRESENT:
        return reply
    for kind, width in ((b"\x10", 4), (b"\x12", 8)):
        at = reply.find(kind + _MAX_WRITE_BATCH, 16)
        if at < 0:
            continue
        start = at + 1 + len(_MAX_WRITE_BATCH)
        if int.from_bytes(reply[start:start + width], "little", signed=True) > limit:
            return reply[:start] + limit.to_bytes(width, "little", signed=True) + reply[start + width:]
    return reply


def with_modified_count(reply: bytes) -> bytes:
    """An OP_MSG reply to an ``update`` with ``nModified: 0`` (a BSON int32) added to its
    body when it has none; unchanged when it has one, is not an OP_MSG with its body first,
    or carries a checksum the change would break."""
    if opcode(reply) != OP_MSG or flags(reply) & CHECKSUM_PRESENT or reply[20] != 0:
        return reply
    size = int.from_bytes(reply[21:25], "little")
    body = reply[21:21 + size]
    if b"\x10" + _MODIFIED in body or b"\x12" + _MODIFIED in body:
        return reply
    added = body[:-1] + b"\x10" + _MODIFIED + (0).to_bytes(4, "little") + b"\x00"
    rest = reply[21 + size:]
    message = reply[4:20] + b"\x00" + len(added).to_bytes(4, "little") + added[4:] + rest
    return (len(message) + 4).to_bytes(4, "little") + message


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
        handshake, update = is_handshake(request), command_name(request) == b"update"
        while True:
            reply = await read_message(server_reader)
            client_writer.write(limit_write_batch(reply) if handshake else with_modified_count(reply) if update else reply)
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
