import os


def daemonize():
    os.setsid()
    os.umask(0)
