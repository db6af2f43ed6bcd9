"""Creates the PostgreSQL database named by DATABASE_URL when it does not exist yet.

SQLite (the default) needs nothing: Django creates the file on the first migration.
"""

import os

import environ
import psycopg2
from psycopg2 import sql

url = os.environ.get("DATABASE_URL", "")
if url.startswith(("postgres://", "postgresql://")):
    config = environ.Env.db_url_config(url)
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    connection = psycopg2.connect(dbname="postgres", **params)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"Created the database {config['NAME']}.")
    connection.close()
