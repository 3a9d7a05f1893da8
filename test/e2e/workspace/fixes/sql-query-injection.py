import sqlite3


def find_port(conn: sqlite3.Connection, name):
    cur = conn.cursor()
    cur.execute(f"SELECT id, mac FROM ports WHERE name = '{name}'")
    return cur.fetchone()
