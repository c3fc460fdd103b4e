"""Import problems in the user's language: every message of ``alue.io`` is in the Finnish and Swedish
catalogues with its placeholders, messages render with their values, and real imports report in Finnish
and Swedish while their English text (command line, rejects file) stays as it was."""

from __future__ import annotations

import ast
import copy
import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from sqlalchemy.orm import Session

from alue.io import i18n, import_file
from alue.io.fields import BusinessId, Hetu, Lookups, hetu_problem
from alue.io.messages import Localised, Message, Plural, either, quote, translate
from alue.io.service import RowError
from alue.shared.identifiers import InvalidIdentifier, validate_business_id, validate_hetu
from alue.shared.time import DateRange

from .factories import make_person, unique_hetu

SRC = Path(i18n.__file__).resolve().parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
KEYWORDS = {"Message": None, "Plural": (1, 2)}


def catalogue(lang: str):  # type: ignore[no-untyped-def]
    with i18n.po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def extracted() -> set[str]:
    """The message ids of ``alue.io``: the first argument of ``Message(...)`` and of ``Plural(...)``."""
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        SRC, [("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def msgid(message: Any) -> str:
    return str(message.id[0] if isinstance(message.id, tuple) else message.id)


# --- the catalogues ---------------------------------------------------------------------------------


def test_the_messages_are_extracted() -> None:
    ids = extracted()
    assert len(ids) > 100
    assert "unknown municipality %(text)s" in ids
    assert "the row has %(num)s cell but the header names only %(columns)s" in ids  # a plural
    assert "HETU" in ids  # a word given as a value of another message


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_message_in_the_code_is_in_the_catalogue(lang: str) -> None:
    known = {msgid(m) for m in catalogue(lang) if m.id}
    missing = sorted(extracted() - known)
    unused = sorted(known - extracted())
    assert not missing, f"add these to alue/io/locale/{lang}/LC_MESSAGES/io.po and translate them: {missing}"
    assert not unused, f"no longer used, remove from io.po ({lang}): {unused}"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_message_is_translated_with_the_same_placeholders(lang: str) -> None:
    untranslated, broken = [], []
    for message in catalogue(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or (isinstance(message.id, tuple) and len(strings) != 2):
            untranslated.append(ids[0])
        expected = [set(PLACEHOLDER.findall(i)) for i in ids]
        if any(set(PLACEHOLDER.findall(s)) not in expected for s in strings if s):
            broken.append(ids[0])
        if strings[0] == ids[0] and ids[0] not in SAME_WORDS[lang]:
            untranslated.append(ids[0])  # the English text copied
    assert not untranslated, untranslated
    assert not broken, broken


#: messages written the same in English and the language
SAME_WORDS = {"fi": {"Y-tunnus"}, "sv": {"person"}}


def test_a_translation_with_other_placeholders_is_caught() -> None:
    """The placeholder check of the test above, on a made-up entry (so that it can fail)."""
    ids, strings = ("unknown municipality %(text)s",), ("tuntematon kunta %(teksti)s",)
    assert any(set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(ids[0])) for s in strings)


# every call that reports a problem, and which argument is the message
REPORTS = {"error": 1, "RowError": 2, "RecordError": 1, "FileFormatError": 0, "ValueError": 0}
#: ValueErrors that are programming errors (a label table of the code), never a problem of a file
NOT_REPORTS = {("fields.py", "is ambiguous in")}


def test_every_problem_is_reported_with_a_message() -> None:
    """A problem given as a string literal or an f-string would not be translated (nor extracted)."""
    plain: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            index = REPORTS.get(name)
            if index is None or len(node.args) <= index:
                continue
            argument = node.args[index]
            if isinstance(argument, ast.JoinedStr) or (
                isinstance(argument, ast.Constant) and isinstance(argument.value, str)
            ):
                text = ast.unparse(argument)
                if any(path.name == file and part in text for file, part in NOT_REPORTS):
                    continue
                plain.append(f"{path.relative_to(SRC)}:{node.lineno}: {text}")
    assert not plain, plain


# --- the message type --------------------------------------------------------------------------------


def test_a_message_is_its_english_text_and_renders_in_each_language() -> None:
    message = Message("unknown municipality %(text)s", text=quote("Atlantis"))
    assert message == "unknown municipality 'Atlantis'"
    assert isinstance(message, str)
    assert "'Atlantis'" in message
    assert f"kunta: {message}" == "kunta: unknown municipality 'Atlantis'"
    assert message.translated("fi") == "tuntematon kunta ”Atlantis”"
    assert message.translated("sv") == "okänd kommun ”Atlantis”"
    assert message.translated("en") == "unknown municipality 'Atlantis'"
    assert message.translated("de") == "unknown municipality 'Atlantis'"  # no catalogue: English
    assert repr(message) == "Message(\"unknown municipality 'Atlantis'\")"
    # text of other code is shown as it is
    assert translate("the database is down", "fi") == "the database is down"
    assert translate(message, "sv") == "okänd kommun ”Atlantis”"


def test_values_translated_quoted_and_dated_by_language() -> None:
    columns = Message(
        "the file needs one of the columns %(columns)s", columns=either(["hetu", "customer_number"])
    )
    assert columns == "the file needs one of the columns hetu or customer_number"
    assert columns.translated("fi") == "tiedostossa on oltava sarake hetu tai customer_number"
    assert columns.translated("sv") == "filen måste ha kolumnen hetu eller customer_number"
    same = Message("the same %(what)s is already on row %(row)s", what=Message("customer number"), row=4)
    assert (same, same.translated("fi"), same.translated("sv")) == (
        "the same customer number is already on row 4",
        "sama asiakasnumero on jo rivillä 4",
        "samma kundnummer finns redan på rad 4",
    )
    # a cell's text is inserted as it is, with its invisible characters shown
    tab = Message("%(text)s is not a whole number", text=quote("1\t2"))
    assert tab == "'1\\t2' is not a whole number"
    assert tab.translated("fi") == "”1\\t2” ei ole kokonaisluku"
    # dates: ISO in the English text, the language's own form when translated
    ends = Message(
        "the job ends (%(end)s) before it starts (%(start)s)",
        end=dt.date(2025, 1, 31),
        start=dt.date(2025, 3, 1),
    )
    assert ends == "the job ends (2025-01-31) before it starts (2025-03-01)"
    assert ends.translated("fi") == "työsuhde päättyy (31.1.2025) ennen kuin se alkaa (1.3.2025)"
    overlap = Message(
        "the spell overlaps the spell %(other)s in the database", other=DateRange(dt.date(2025, 2, 1), None)
    )
    assert overlap == "the spell overlaps the spell 2025-02-01– in the database"
    assert (
        overlap.translated("fi")
        == "työnhakujakso on päällekkäin tietokannassa olevan työnhakujakson 1.2.2025– kanssa"
    )
    # a text the data has in several languages: Finnish in the English text, else the message's language
    label = Localised({"fi": "hitsaaja", "sv": "svetsare", "en": "welder"}, "hitsaaja")
    group = Message(
        "%(isco4)s is not the ISCO group of the ESCO occupation %(occupation)s (%(group)s)",
        isco4="9333",
        occupation=quote(label),
        group="7212",
    )
    assert group == "9333 is not the ISCO group of the ESCO occupation 'hitsaaja' (7212)"
    assert group.translated("sv") == "9333 är inte ISCO-gruppen för ESCO-yrket ”svetsare” (7212)"


def test_plural_forms_follow_the_count() -> None:
    def too_long(count: int) -> Message:
        return Plural(
            "too long: %(num)s character, at most %(max)s allowed",
            "too long: %(num)s characters, at most %(max)s allowed",
            count,
            max=1,
        )

    assert too_long(1) == "too long: 1 character, at most 1 allowed"
    assert too_long(3) == "too long: 3 characters, at most 1 allowed"
    assert too_long(1).translated("fi") == "liian pitkä: 1 merkki, kun enimmäispituus on 1"
    assert too_long(3).translated("fi") == "liian pitkä: 3 merkkiä, kun enimmäispituus on 1"
    cells = Plural(
        "the row has %(num)s cell but the header names only %(columns)s",
        "the row has %(num)s cells but the header names only %(columns)s",
        3,
        columns=Plural("%(num)s column", "%(num)s columns", 1),
    )
    assert cells == "the row has 3 cells but the header names only 1 column"
    assert cells.translated("fi") == "rivillä on 3 solua, mutta otsikkorivillä on vain 1 sarake"
    assert cells.translated("sv") == "raden har 3 celler men rubrikraden har bara 1 kolumn"


def test_a_message_survives_copying_and_a_broken_translation_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = Plural("%(num)s column", "%(num)s columns", 2)
    copied = copy.deepcopy(message)
    assert (type(copied), copied, copied.translated("fi")) == (Plural, "2 columns", "2 saraketta")

    class Broken:
        def gettext(self, message: str) -> str:
            return "%(unknown)s"

        def ngettext(self, singular: str, plural: str, n: int) -> str:
            return "%(unknown)s"

    monkeypatch.setattr(i18n, "translations", lambda lang: Broken())
    assert message.translated("fi") == "2 columns"


def test_identifier_problems_keep_the_english_text_of_the_validators() -> None:
    """``Hetu`` and ``BusinessId`` report what ``alue.shared.identifiers`` finds, in its own English words."""
    lookups = Lookups([])
    good = unique_hetu()
    for text in (good[:-1] + ("A" if good[-1] != "A" else "B"), "320190-901R", "12345"):
        with pytest.raises(InvalidIdentifier) as shared:
            validate_hetu(text)
        with pytest.raises(ValueError, match=r"^HETU ") as ours:
            Hetu().parse(text, lookups)
        problem = ours.value.args[0]
        assert isinstance(problem, Message)
        assert problem == str(shared.value)
        assert problem.translated("fi").startswith(f"henkilötunnus ”{text}”: ")
        assert problem.translated("sv").startswith(f"personbeteckningen ”{text}”: ")
    for text in ("0112038-8", "112038"):
        with pytest.raises(InvalidIdentifier) as shared:
            validate_business_id(text)
        with pytest.raises(ValueError, match=r"^Y-tunnus ") as ours:
            BusinessId().parse(text, lookups)
        assert ours.value.args[0] == str(shared.value)
        assert ours.value.args[0].translated("sv").startswith(f"FO-numret ”{text}”: ")
    # an error the validator might raise without a known cause is kept as its text
    assert hetu_problem(ValueError("something else"), "x") == "something else"


def test_a_row_error_renders_in_a_language_and_keeps_its_fields() -> None:
    error = RowError(3, "kotikunta", Message("unknown municipality %(text)s", text=quote("Atlantis")))
    assert (error.row, error.column, error.message) == (3, "kotikunta", "unknown municipality 'Atlantis'")
    assert str(error) == "row 3, kotikunta: unknown municipality 'Atlantis'"
    assert error.translated("fi") == "tuntematon kunta ”Atlantis”"
    assert error.translatable
    other = RowError(None, "", "text of another module")
    assert (other.translated("fi"), other.translatable) == ("text of another module", False)


# --- real imports ------------------------------------------------------------------------------------


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def problems(errors: list[RowError], lang: str) -> dict[tuple[int | None, str], str]:
    return {(e.row, e.column): e.translated(lang) for e in errors}


def test_a_persons_import_reports_in_finnish_and_swedish_by_row_and_column(
    session: Session, tmp_path: Path
) -> None:
    good = unique_hetu()
    wrong = good[:-1] + ("A" if good[-1] != "A" else "B")
    header = [
        "henkilötunnus",
        "etunimi",
        "sukunimi",
        "kotikunta",
        "kotikunta_alkaen",
        "äidinkieli",
        "asiointikieli",
    ]
    path = write_rows(
        tmp_path / "henkilot.csv",
        [
            header,
            [wrong, "Aino", "Virtanen", "Pori", "", "fi", "fi"],
            [unique_hetu(), "Aino", "Virtanen", "Atlantis", "", "fi", "fi"],
            [unique_hetu(), "Aino", "Virtanen", "Pori", "31.2.2025", "fi", "fi"],
            [unique_hetu(), "Aino", "Virtanen", "Pori", "", "fi", "saksa"],
        ],
    )
    result = import_file(session=session, kind="persons", path=path)
    assert not result.written
    assert problems(result.errors, "fi") == {
        (2, "henkilötunnus"): f"henkilötunnus ”{wrong}”: tarkistusmerkki on väärä",
        (3, "kotikunta"): "tuntematon kunta ”Atlantis”",
        (4, "kotikunta_alkaen"): "”31.2.2025” ei ole päivämäärä (käytä muotoa 31.1.2025 tai 2025-01-31)",
        (5, "asiointikieli"): "”saksa” ei ole sallittu arvo (sallitut: fi, sv, en)",
    }
    assert problems(result.errors, "sv") == {
        (2, "henkilötunnus"): f"personbeteckningen ”{wrong}”: kontrolltecknet är fel",
        (3, "kotikunta"): "okänd kommun ”Atlantis”",
        (4, "kotikunta_alkaen"): "”31.2.2025” är inte ett datum (använd 31.1.2025 eller 2025-01-31)",
        (5, "asiointikieli"): "”saksa” är inte ett tillåtet värde (tillåtna: fi, sv, en)",
    }
    # the command line and the rejects file keep the English text
    assert [str(e) for e in result.errors] == [
        f"row 2, henkilötunnus: HETU '{wrong}': the check character is wrong",
        "row 3, kotikunta: unknown municipality 'Atlantis'",
        "row 4, kotikunta_alkaen: '31.2.2025' is not a date (use 2025-01-31 or 31.1.2025)",
        "row 5, asiointikieli: 'saksa' must be one of fi, sv, en",
    ]


def test_a_missing_required_column_and_an_ignored_one_in_finnish_and_swedish(
    session: Session, tmp_path: Path
) -> None:
    path = write_rows(
        tmp_path / "henkilot.csv",
        [["hetu", "etunimi", "kotikunta", "äidinkieli", "asiointikieli", "muistiinpanot"], ["x"] * 6],
    )
    result = import_file(session=session, kind="persons", path=path)
    assert problems(result.errors, "fi") == {
        (1, "last_name"): "pakollinen sarake puuttuu (hyväksytään myös nimillä: sukunimi, efternamn)"
    }
    assert problems(result.errors, "sv") == {
        (1, "last_name"): "en obligatorisk kolumn saknas (godtas även med namnen: sukunimi, efternamn)"
    }
    [warning] = result.warnings
    assert warning == "column 'muistiinpanot' is not used by this import and was ignored"
    assert translate(warning, "fi") == "tämä tuonti ei käytä saraketta ”muistiinpanot”, joten se ohitettiin"


def test_a_spells_import_names_dates_in_the_users_form(session: Session, tmp_path: Path) -> None:
    person, stranger = make_person(session), unique_hetu()
    path = write_rows(
        tmp_path / "jaksot.csv",
        [
            ["hetu", "spell_start_date", "municipality", "status", "start_date", "end_date"],
            [person.hetu, "2025-01-02", "609", "unemployed", "2025-03-01", "2025-01-31"],
            [stranger, "2025-01-02", "609", "unemployed", "2025-01-02", ""],
        ],
    )
    result = import_file(session=session, kind="spells", path=path)
    assert problems(result.errors, "fi") == {
        (2, "end_date"): "tilajakso päättyy (31.1.2025) ennen kuin se alkaa (1.3.2025)",
        (3, "hetu"): f"henkilötunnuksella {stranger} ei ole henkilöä",
    }
    assert problems(result.errors, "sv")[(2, "end_date")] == (
        "statusperioden slutar (2025-01-31) innan den börjar (2025-03-01)"
    )
    assert result.errors[0].message == "the status period ends (2025-01-31) before it starts (2025-03-01)"


def test_a_damaged_file_is_reported_in_finnish(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "henkilot.csv"
    path.write_bytes("hetu;etunimi\n010190-901R;Jyrki\xe4\n".encode("latin-1"))
    [error] = import_file(session=session, kind="persons", path=path).errors
    assert error.row is None
    assert error.translated("fi") == (
        "tiedosto ei ole UTF-8-tekstiä (virheellinen tavu kohdassa 30); "
        "tallenna se Excelissä muodossa ”CSV UTF-8”"
    )
