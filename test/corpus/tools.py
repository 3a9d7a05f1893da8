"""Operational scripts: SSH, archives, crypto."""
import hashlib
import logging
import os
import ssl
import sys
import tarfile
import telnetlib
import urllib.request

import jwt
import paramiko
from Crypto.Cipher import AES, DES
from cryptography.hazmat.primitives.asymmetric import rsa

LOG = logging.getLogger(__name__)
API_TOKEN = "ghp_8fK2mQ9xR4vL7nT1wZ3yB6cD0eH5jP2sA9uG"  # flag
PASSWORD_FIELD = "password"  # noflag


def run_remote(host, command):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # flag
    client.connect(host, username="ops")
    client.exec_command(command)  # flag


def run_remote_known(host):
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())  # noflag
    client.connect(host, username="ops")
    client.exec_command("uptime")  # noflag


def unpack(path, dest):
    with tarfile.open(path) as tar:
        tar.extractall(dest)  # flag


def unpack_safe(path, dest):
    with tarfile.open(path) as tar:
        tar.extractall(dest, filter="data")  # noflag


def encrypt(key, data):
    cipher = DES.new(key, DES.MODE_ECB)  # flag
    return cipher.encrypt(data)


def encrypt_ok(key, nonce, data):
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce)  # noflag
    return cipher.encrypt_and_digest(data)


def make_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)  # flag


def make_key_ok():
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)  # noflag


def decode_token(token):
    return jwt.decode(token, options={"verify_signature": False})  # flag


def decode_token_ok(token, key):
    return jwt.decode(token, key, algorithms=["HS256"])  # noflag


def fetch(url):
    ctx = ssl._create_unverified_context()  # flag
    return urllib.request.urlopen(url, context=ctx).read()


def fetch_default():
    ctx = ssl.create_default_context()  # noflag
    return urllib.request.urlopen("https://example.com/", context=ctx).read()  # noflag


def console(host):
    tn = telnetlib.Telnet(host)  # flag
    return tn


def checksum(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()  # noflag


def main():
    target = sys.argv[1]
    os.system("ping -c1 " + target)  # flag
    os.system("uptime")  # noflag
    exec(open(sys.argv[2]).read())  # flag


if __name__ == "__main__":
    main()
