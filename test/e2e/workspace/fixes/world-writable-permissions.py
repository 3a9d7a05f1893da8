import os


def prepare_socket_dir(path):
    os.makedirs(path, exist_ok=True)
    os.chmod(path, 0o777)
