"""The database: the store, its migrations, and one repository per table (all the SQL)."""
