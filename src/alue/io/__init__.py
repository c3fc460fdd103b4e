"""Importers and exporters: CSV and XLSX files of persons, spells, employers, services … (``alue.io``).

Use ``import_file`` and ``write_export`` / ``export_rows``; the column formats are documented in
``docs/import-formats.md`` (generated from the column definitions by ``alue.io.docs``).
"""

from alue.io.auditing import log_personal_data_transfer
from alue.io.service import (
    AccessEvent,
    FileFormatError,
    ImportResult,
    RowError,
    add_audit_hook,
    export_columns,
    export_rows,
    import_file,
    kinds,
    remove_audit_hook,
    write_export,
)

# Personal data moved in or out is written to the audit log, whoever calls (command line, web, scripts).
add_audit_hook(log_personal_data_transfer)

__all__ = [
    "AccessEvent",
    "FileFormatError",
    "ImportResult",
    "RowError",
    "add_audit_hook",
    "export_columns",
    "export_rows",
    "import_file",
    "kinds",
    "remove_audit_hook",
    "write_export",
]
