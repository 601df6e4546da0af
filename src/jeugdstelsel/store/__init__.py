"""The local store (SQLite by default, PostgreSQL with DATABASE_URL): Django models and migrations."""
