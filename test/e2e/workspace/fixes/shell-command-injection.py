import subprocess


def set_sysctl(key, val):
    subprocess.run(f"sysctl -w {key}={val}", shell=True, check=True)
