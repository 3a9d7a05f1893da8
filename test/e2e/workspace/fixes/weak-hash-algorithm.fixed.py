import hashlib


def sign_request(secret, body):
    return hashlib.sha256(secret + body).hexdigest()
