"""The reader of the B2B benchmark files (Bofill et al.'s real forums) turns a file's
fields into a Problem: sessions into windows, forbidden slots out of availability, fixed
slots into one-slot windows; inconsistent files are refused."""
import pytest

from bench.b2b_file import parse_b2b

TEXT = """% a forum of three
nBusiness = 3;
nMeetings = 3;
nTables = 2;
nTotalSlots = 4;
nMorningSlots = 2;
requested = [|1, 2,1,
|1, 3,3,
|2, 3,2,
|];
meetingsxBusiness = [{1,2,3},{1,2,4},{1,3,4}];
nMeetingsBusiness = [2,2,2];
forbidden = [{0},{0,4},{1}];
fixed = [0,3,0];
"""


def test_fields_become_windows_availability_and_required_meetings():
    problem = parse_b2b(TEXT)
    assert (len(problem.slots), problem.tables, problem.days) == (4, 2, [(0, 3)])
    assert problem.availability == {"b1": frozenset({0, 1, 2, 3}), "b2": frozenset({0, 1, 2}), "b3": frozenset({1, 2, 3})}
    windows = {c.pair: c.slots for c in problem.candidates}
    assert windows == {("b1", "b2"): frozenset({0, 1}), ("b1", "b3"): frozenset({2}), ("b2", "b3"): frozenset({2, 3})}
    assert all(c.required and c.value == 1.0 for c in problem.candidates)


@pytest.mark.parametrize("broken, message", [
    (TEXT.replace("nMeetingsBusiness = [2,2,2]", "nMeetingsBusiness = [2,2,1]"), "nMeetingsBusiness"),
    (TEXT.replace("|2, 3,2,\n", ""), "requested"),
    (TEXT.replace("|2, 3,2,", "|2, 3,5,"), "malformed"),
    (TEXT.replace("nTables = 2;\n", ""), "nTables"),
])
def test_an_inconsistent_file_is_refused_naming_the_field(broken, message):
    with pytest.raises(ValueError, match=message):
        parse_b2b(broken)
