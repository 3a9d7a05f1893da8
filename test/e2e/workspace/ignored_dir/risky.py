"""Ignored by the root .gitignore: the scan must not report it."""
import subprocess


def run(cmd):
    subprocess.call(cmd, shell=True)
