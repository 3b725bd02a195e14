"""Uploaded CSV as spreadsheets save it: encodings, byte order marks and delimiters."""
import pytest

from shared.csv_input import UnreadableCsv, decode_upload, read_table, sniff_delimiter

ROW = "name,district,phone\nZoë Café – Kani Weaves,Budgam,919876512346\n"
COLUMNS = ("name", "district", "phone")


def test_a_declared_windows_1252_charset_is_honoured():
    decoded = decode_upload(ROW.encode("cp1252"), "windows-1252")
    assert decoded.text == ROW and decoded.how == "declared"


def test_windows_1252_without_a_declared_charset_is_detected_not_replaced():
    decoded = decode_upload(ROW.encode("cp1252"))
    assert decoded.text == ROW and "\ufffd" not in decoded.text
    assert (decoded.encoding, decoded.how) == ("cp1252", "detected")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-32"])
def test_a_byte_order_mark_says_the_encoding(encoding):
    decoded = decode_upload(ROW.encode(encoding))
    assert decoded.text == ROW and decoded.how == "byte order mark"


def test_a_declared_utf8_drops_a_byte_order_mark_and_plain_utf8_is_read_as_it_is():
    assert decode_upload(ROW.encode("utf-8-sig"), "utf-8").text == ROW
    assert decode_upload(ROW.encode("utf-8")).text == ROW


def test_bytes_that_do_not_fit_the_declared_charset_are_named_never_replaced():
    with pytest.raises(UnreadableCsv, match=r"not utf-8 \(declared\): byte 0xeb on line 2"):
        decode_upload(ROW.encode("cp1252"), "utf-8")
    with pytest.raises(UnreadableCsv, match="'klingon' is not one we know"):
        decode_upload(ROW.encode("utf-8"), "klingon")


@pytest.mark.parametrize("charset", ["rot13", "base64", "zlib", "idna", "undefined", "unicode_escape", "utf-7", "\x00", "x" * 300])
def test_a_declared_charset_that_is_no_file_encoding_is_refused_not_crashed(charset):
    with pytest.raises(UnreadableCsv, match="not one we know|is not a charset"):
        decode_upload(ROW.encode("utf-8"), charset)


def test_text_already_damaged_or_utf16_without_its_mark_is_refused_with_the_reason():
    with pytest.raises(UnreadableCsv, match=r"replacement character \(U\+FFFD\).*line 2"):
        decode_upload(ROW.replace("ë", "\ufffd").encode("utf-8"))
    with pytest.raises(UnreadableCsv, match="UTF-16 without its byte order mark"):
        decode_upload(ROW.encode("utf-16-le"), "latin-1")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_the_one_that_splits_the_header_into_known_columns(delimiter):
    text = ROW.replace(",", delimiter).replace("\n", "\r\n")
    columns, rows, found = read_table(text, COLUMNS)
    assert found == delimiter and columns == list(COLUMNS)
    assert rows == [{"name": "Zoë Café – Kani Weaves", "district": "Budgam", "phone": "919876512346"}]


def test_a_header_of_unknown_names_is_read_with_commas():
    assert sniff_delimiter("shoe;size", COLUMNS) == ","
    assert sniff_delimiter('"name";"phone, mobile"', COLUMNS) == ";"


KNOWN = {"name", "phone", "district"}


def test_a_row_of_empty_cells_is_left_out_as_a_blank_line_is():
    columns, rows, _ = read_table("name,phone,district\nDar,9876543210,Srinagar\n,,\n\n , ,  \nLone,9876543211,Leh\n", KNOWN)
    assert columns == ["name", "phone", "district"]
    assert [r["name"] for r in rows] == ["Dar", "Lone"]


def test_a_column_named_twice_is_refused_naming_it():
    with pytest.raises(UnreadableCsv, match="names phone more than once"):
        read_table("name,phone,district,phone\nDar,9876543210,Srinagar,9876543211\n", KNOWN)


def test_cells_past_the_header_are_refused_naming_the_lines_and_empty_ones_are_not():
    with pytest.raises(UnreadableCsv, match=r"Line\(s\) 3, 5 hold more cells than the header's 3 columns: put a value that holds commas in double quotes"):
        read_table("name,phone,district\nDar,9876543210,Srinagar\nDar, Sons,9876543211,Leh\nLone,9876543212,Leh\nMir,Sons,9876543213,Leh\n", KNOWN)
    _, rows, _ = read_table("name,phone,district\nDar,9876543210,Srinagar,,\n", KNOWN)
    assert rows == [{"name": "Dar", "phone": "9876543210", "district": "Srinagar"}]
