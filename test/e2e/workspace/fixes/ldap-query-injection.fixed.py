import ldap
from ldap.filter import escape_filter_chars


def find_user(conn, username):
    return conn.search_s("ou=people,dc=example,dc=org", ldap.SCOPE_SUBTREE, f"(uid={escape_filter_chars(username)})")
