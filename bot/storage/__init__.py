"""Storage of the query log: SQLite with numbered migrations, one writer thread, a journal for bad times.

Modules: `sqlite` (QueryLog, the writer), `journal` (the files next to the database), `schema` (opening,
migrations, StorageError), `stats` (aggregate reads for /stats and `rigfit db stats`), `text` (storable and
printable text), `faults` (fault scenarios shared by the tests and the bench).
"""

from bot.storage.faults import FaultRow, fault_table
from bot.storage.schema import MIGRATIONS_DIR, StorageError, apply_migrations, migration_files, open_db
from bot.storage.sqlite import (
    BATCH_MAX,
    QUEUE_MAX_ROWS,
    RETRY_S,
    CloseReport,
    ForgetResult,
    QueryLog,
)
from bot.storage.stats import bench_stats, db_stats_lines, stats
from bot.storage.text import printable, storable_text

__all__ = [
    "BATCH_MAX",
    "MIGRATIONS_DIR",
    "QUEUE_MAX_ROWS",
    "RETRY_S",
    "CloseReport",
    "FaultRow",
    "ForgetResult",
    "QueryLog",
    "StorageError",
    "apply_migrations",
    "bench_stats",
    "db_stats_lines",
    "fault_table",
    "migration_files",
    "open_db",
    "printable",
    "stats",
    "storable_text",
]
