"""Render ``docs/import-formats.md`` from the column definitions, so the documentation cannot drift.

Regenerate with ``python -m alue.io.docs > docs/import-formats.md``; a test fails when the file is stale.
"""

from __future__ import annotations

from alue.io.fields import Choice, Column
from alue.io.kinds import FORMAT_KINDS, KINDS

INTRO = """\
# Import and export formats

`alue import KIND FILE` reads a CSV or XLSX file; `alue export KIND` writes one with exactly the
columns below, so that an export can be imported again without loss. This page is generated from the
column definitions in `src/alue/io/kinds/` (`python -m alue.io.docs > docs/import-formats.md`).

## Files

- **CSV**: UTF-8, with or without a byte-order mark. The delimiter (`,`, `;` or tab) is detected from
  the header row, so the `;`-separated files of a Finnish Excel work as they are. In Excel, save as
  *CSV UTF-8*; an old "ANSI" CSV is refused with a message saying so. Exports are UTF-8 with a BOM and
  `,` (`--delimiter ";"` for Excel).
- **XLSX**: the first sheet, or the one named with `--sheet`. The first non-empty row is the header.
  Date cells and text dates both work. Exports write every cell as text, so codes such as `079` keep
  their leading zeros.
- **Header row**: column names are matched ignoring case, accents, spaces and punctuation, so
  `Henkilötunnus`, `henkilotunnus` and `HENKILÖ-TUNNUS` are the same. Each column also has Finnish
  (and some Swedish) aliases, listed below. Unknown columns are ignored with a note; the columns `row`
  and `errors` of a rejects file are ignored silently, so a corrected rejects file can be imported as
  it is. Two columns that mean the same thing are an error.
- **Cells**: leading and trailing spaces are ignored. An empty cell in a required column is an error;
  in an optional column it means the column's default (or no value). A column that is not in the file
  at all is not touched when an existing row is updated (so a file of `hetu` and `phone` updates the
  phone numbers only); new rows get the defaults.
- **Row numbers** in error messages are the ones a spreadsheet shows: the header is row 1.

## Common value types

- **Dates**: `2025-01-31` or `31.1.2025` (also `31.01.2025`). Exports write ISO dates.
- **Municipalities**: the code (`609`, `KU609`, or `9` for `009`) or the Finnish or Swedish name
  (`Pori`, `Björneborg`), case- and accent-insensitive. Any Finnish municipality is accepted.
- **Choices** (enumerations): the value shown in `code font`, or one of the Finnish labels in brackets.
- **Yes/no**: `true`/`false`, `kyllä`/`ei`, `k`/`e`, `1`/`0`, `x` (yes).
- **Euro amounts**: `1234.50`, `1 234,50` or `1234,5 €`; at most 2 decimals.
- **People** are referred to by `hetu` (henkilötunnus) or `customer_number` (asiakasnumero), or both
  (then they must be the same person). Exports write both. Employers are referred to by Y-tunnus,
  services by code, vacancies by external id, partners by name.

## Validation and writing

Every bad row is reported with its row number, the column and the reason. A file with any bad row
writes **nothing**, unless `--skip-invalid` is given: then the good rows are written and the bad ones go
to a rejects file (the file's own columns plus `row` and `errors`; `--rejects PATH`, default
`FILE.rejects.csv`). A problem with the file itself (not UTF-8, not a workbook, a required column
missing) always stops the import. Everything is written in one transaction. `--dry-run` validates and
counts without writing.

**The language of the messages.** The command line and the rejects file give the reasons in English, as
in the examples on this page. The page `/vacancies/import` shows them in the user's language: Finnish by
default, Swedish or English by the user's choice (e.g. `tuntematon kunta ”Atlantis”`, `okänd kommun
”Atlantis”`); dates in a message are then written as the language writes them (`31.1.2025`). A value from
the file is shown as it is, between quotation marks. For developers: each message is an
`alue.io.messages.Message` (an English message id with `%(name)s` placeholders and its values) and is
translated in `src/alue/io/locale/{fi,sv,en}/LC_MESSAGES/io.po`; `tests/io/test_messages.py` fails when
a message of `src/alue/io` has no Finnish or Swedish translation or a translation changes its
placeholders.

Rows are **upserted on their natural keys** (listed per kind): importing the same file again reports
every row as *unchanged* and changes nothing. Imports never delete rows. When the same key appears
twice in one file, the second row is an error.

Import in this order, because later kinds refer to earlier ones: persons, partners, employers,
services, vacancies, spells, employment-episodes, participations.

Exports of kinds marked *personal data* are casework: the command line takes `--actor` and
`--purpose` (the Python API `actor` and `purpose`), and every import and export of such a kind is
written to the audit log as one row (action `import` or `export`, the kind, the number of rows, whether
it completed, the purpose; a command-line user is logged as `cli:<user>`). Every import and export is
also reported to the audit hooks (`alue.io.add_audit_hook`).
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _column_row(column: Column) -> str:
    aliases = ", ".join(f"`{a}`" for a in column.aliases)
    rules = [column.rules] if column.rules else []
    if column.default not in (None, "", [], {}):
        default = column.type.format(column.default)
        rules.append(f"default `{default}`")
    type_doc = column.type.doc
    if isinstance(column.type, Choice):
        type_doc = "choice: " + type_doc.removeprefix("one of: ")
    return (
        f"| `{column.name}` | {_cell(column.description)} | {_cell(type_doc)} | "
        f"{'yes' if column.required else 'no'} | `{_cell(column.example)}` | {aliases} | "
        f"{_cell('; '.join(rules))} |"
    )


def render_import_formats() -> str:
    parts = [INTRO]
    for kind in KINDS.values():
        parts.append(f"\n## `{kind.name}` — {kind.title}\n")
        parts.append(f"{kind.summary}\n")
        parts.append(f"- Natural key: {kind.natural_key}")
        parts.append(f"- Personal data: {'yes' if kind.personal else 'no'}")
        if kind.one_of:
            groups = "; ".join(" or ".join(f"`{c}`" for c in g) for g in kind.one_of)
            parts.append(f"- The file needs at least one of: {groups}")
        parts.append("")
        parts.append("| column | meaning | type | required | example | also accepted | rules |")
        parts.append("|---|---|---|---|---|---|---|")
        parts.extend(_column_row(c) for c in kind.columns)
    for kind in FORMAT_KINDS.values():
        doc: str = getattr(kind, "doc", "")  # only the JSON kinds have a section of their own
        if doc:
            parts.append("\n" + doc.strip("\n"))
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(render_import_formats(), end="")
