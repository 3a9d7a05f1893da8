import random
import string
import secrets


def make_reset_token():
    return "".join(secrets.choice(string.ascii_letters) for _ in range(32))
