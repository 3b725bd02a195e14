"""The write guard reads a command's name and database from the OP_MSG bytes pymongo sends."""
import bson

from deploy.local.write_guard import OP_MSG, command_name, database_name


def op_msg(body: dict, sequences: dict[str, list[dict]] | None = None) -> bytes:
    """An OP_MSG as pymongo frames it: the body (kind 0), then document sequences (kind 1)."""
    payload = (0).to_bytes(4, "little") + b"\x00" + bson.encode(body)
    for name, documents in (sequences or {}).items():
        section = name.encode() + b"\x00" + b"".join(bson.encode(d) for d in documents)
        payload += b"\x01" + (len(section) + 4).to_bytes(4, "little") + section
    header = (16 + len(payload)).to_bytes(4, "little") + (7).to_bytes(4, "little") + (0).to_bytes(4, "little") + OP_MSG.to_bytes(4, "little")
    return header + payload


def test_the_database_is_the_commands_db_exactly():
    message = op_msg({"update": "meetings", "ordered": True, "$db": "bsm_matching"},
                     {"updates": [{"q": {"_id": "m1"}, "u": {"$inc": {"version": 1}}}]})
    assert command_name(message) == b"update"
    assert database_name(message) == b"bsm_matching"


def test_two_writes_to_one_database_share_a_name_whatever_they_carry():
    first = op_msg({"insert": "participants", "$db": "bsm_registration"}, {"documents": [{"_id": "a", "name": "x" * 50}]})
    second = op_msg({"update": "meets", "$db": "bsm_registration"}, {"updates": [{"q": {"_id": "b"}, "u": {"$set": {"n": 1}}}]})
    assert database_name(first) == database_name(second) == b"bsm_registration"


def test_a_message_without_a_database_has_an_empty_name():
    assert database_name(op_msg({"ping": 1})) == b""
