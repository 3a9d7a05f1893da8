import tarfile


def unpack_image(path, dest):
    with tarfile.open(path) as tar:
        tar.extractall(dest)
