import subprocess


def set_sysctl(key, val):
    subprocess.run(["sysctl", "-w", f"{key}={val}"], shell=False, check=True)
