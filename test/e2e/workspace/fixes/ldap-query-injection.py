import ldap


def find_user(conn, username):
    return conn.search_s("ou=people,dc=example,dc=org", ldap.SCOPE_SUBTREE, f"(uid={username})")
