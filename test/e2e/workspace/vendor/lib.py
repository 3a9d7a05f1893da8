"""Excluded by seclens.exclude in .vscode/settings.json: the scan must not report it."""
import subprocess


def run(cmd):
    subprocess.call(cmd, shell=True)
