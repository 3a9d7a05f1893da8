"""An agent helper as users write it: the e2e tests open, edit, hover and fix this file."""
import subprocess


def set_sysctl(key, val):
    subprocess.run(f"sysctl -w {key}={val}", shell=True, check=True)


def flush_conntrack(zone):
    subprocess.run("conntrack -D -w %s" % zone, shell=True, check=True)
