"""The write guard reads a command's name and database from the OP_MSG bytes pymongo sends."""
import bson

from deploy.local.write_guard import OP_MSG, OP_QUERY, WRITE_BATCH_LIMIT, command_name, database_name, is_handshake, limit_write_batch, with_modified_count


def op_msg(body: dict, sequences: dict[str, list[dict]] | None = None, flag_bits: int = 0) -> bytes:
    """An OP_MSG as pymongo frames it: the body (kind 0), then document sequences (kind 1)."""
    payload = flag_bits.to_bytes(4, "little") + b"\x00" + bson.encode(body)
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


def test_handshakes_are_told_apart_from_commands():
    assert is_handshake(op_msg({"hello": 1, "$db": "admin"}))
    assert is_handshake(op_msg({"isMaster": 1, "$db": "admin"}))
    legacy = (20).to_bytes(4, "little") + (1).to_bytes(4, "little") + (0).to_bytes(4, "little") + OP_QUERY.to_bytes(4, "little") + b"\x00" * 4
    assert is_handshake(legacy)
    assert not is_handshake(op_msg({"update": "meets", "$db": "bsm_registration"}))
    assert not is_handshake(op_msg({"find": "hello", "$db": "bsm_registration"}))


def test_a_handshake_reply_states_the_guards_write_batch_limit_and_nothing_else_changes():
    reply = op_msg({"isWritablePrimary": True, "maxBsonObjectSize": 16777216, "maxWriteBatchSize": 100000, "maxWireVersion": 17, "ok": 1.0})
    patched = limit_write_batch(reply)
    assert len(patched) == len(reply)
    body = bson.decode(patched[21:])
    assert body == {"isWritablePrimary": True, "maxBsonObjectSize": 16777216, "maxWriteBatchSize": WRITE_BATCH_LIMIT, "maxWireVersion": 17, "ok": 1.0}
    assert WRITE_BATCH_LIMIT < 100


def test_a_64_bit_size_is_lowered_too_and_a_smaller_one_is_kept():
    wide = op_msg({"maxWriteBatchSize": bson.Int64(100000), "ok": 1.0})
    assert bson.decode(limit_write_batch(wide)[21:])["maxWriteBatchSize"] == WRITE_BATCH_LIMIT
    small = op_msg({"maxWriteBatchSize": 10, "ok": 1.0})
    assert limit_write_batch(small) == small


def test_a_reply_with_a_checksum_is_left_alone():
    reply = op_msg({"maxWriteBatchSize": 100000, "ok": 1.0}, flag_bits=1)
    assert limit_write_batch(reply) == reply


def test_an_update_reply_with_write_errors_and_no_count_gets_n_modified_0_and_keeps_the_rest():
    errors = [{"index": 0, "code": 11000, "errmsg": "E11000 duplicate key error collection: db.inboxes"}]
    reply = op_msg({"ok": 1.0, "writeErrors": errors})
    patched = with_modified_count(reply)
    assert int.from_bytes(patched[:4], "little") == len(patched)
    assert patched[4:16] == reply[4:16] and patched[16:21] == reply[16:21]
    assert bson.decode(patched[21:]) == {"ok": 1.0, "writeErrors": errors, "nModified": 0}


def test_an_update_reply_with_its_count_or_a_checksum_is_left_alone():
    counted = op_msg({"n": 2, "nModified": 1, "ok": 1.0})
    assert with_modified_count(counted) == counted
    signed = op_msg({"ok": 1.0, "writeErrors": []}, flag_bits=1)
    assert with_modified_count(signed) == signed
