"""Storage of the query log, saved rigs and /stats: SQLite by default, PostgreSQL for a fleet of processes
(DATABASE_URL); numbered migrations for each, one writer thread, a journal for bad times.

Modules: `location` (which backend: `query_log_for(settings)`, `open_query_log(location)`), `sqlite` (QueryLog,
the writer), `postgres` (PgQueryLog, migrations/postgres/, pooled reads), `journal` (the files next to the
database), `schema` (opening, migrations, StorageError), `stats` (aggregate reads for /stats and `rigfit db
stats`), `rigs` (saved rigs), `text` (storable and printable text), `faults` and `pg_faults` (fault scenarios
shared by the tests and the bench), `pg_cluster` (a throwaway PostgreSQL for tests, bench and CI), `copy`
(`rigfit db migrate-to`).
"""

from bot.storage.faults import FaultRow, fault_table
from bot.storage.location import database_location, is_postgres_url, open_query_log, query_log_for
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
    "database_location",
    "db_stats_lines",
    "fault_table",
    "is_postgres_url",
    "migration_files",
    "open_db",
    "open_query_log",
    "printable",
    "query_log_for",
    "stats",
    "storable_text",
]
