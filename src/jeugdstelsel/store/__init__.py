"""The local store (SQLite by default, PostgreSQL with DATABASE_URL): models and migrations."""
