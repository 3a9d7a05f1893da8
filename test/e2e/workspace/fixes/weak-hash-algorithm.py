import hashlib


def sign_request(secret, body):
    return hashlib.md5(secret + body).hexdigest()
