"""The Idempotency-Key store on the real FerretDB: the same request however its JSON is
written, and keys claimed before bodies were compared in canonical form still match."""
import pytest

from shared.idempotency import IdempotencyStore, KeyReused, StoredResponse, canonical_body, fingerprint
from shared.mongo import connect

pytestmark = pytest.mark.stack


def test_the_same_json_written_another_way_is_the_same_request():
    assert canonical_body(b'{"b": 1, "a": [1, {"d": 2, "c": 3}]}', True) == canonical_body(b'{ "a":[1,{"c":3,"d":2}],\n"b":1 }', True)
    assert canonical_body(b'{"a": 1}', True) != canonical_body(b'{"a": 1.0}', True)
    assert canonical_body(b"name,phone\n", False) == b"name,phone\n"
    assert canonical_body(b"{not json", True) == b"{not json"


def test_a_key_claimed_with_the_raw_body_s_print_still_matches_its_retry(settings_for):
    store = IdempotencyStore(connect(settings_for("registration")))
    raw = b'{"seller_id": "s1", "buyer_id": "b1"}'
    old_print = fingerprint("POST", "/x", raw)
    assert store.claim("k-before", old_print) is None
    store.finish("k-before", StoredResponse(201, {"id": "m1"}, {}))
    again = store.claim("k-before", fingerprint("POST", "/x", canonical_body(raw, True)), old_print)
    assert again is not None and again.body == {"id": "m1"}
    with pytest.raises(KeyReused):
        store.claim("k-before", fingerprint("POST", "/x", b'{"seller_id":"s2"}'), fingerprint("POST", "/x", b'{"seller_id": "s2"}'))
