"""The only code that imports SQLAlchemy: schema, repository functions, Alembic migrations."""
