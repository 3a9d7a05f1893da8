"""Never opened by the tests before the workspace scan: its problems come from the scan."""
import subprocess


def add_route(cidr, gateway):
    subprocess.check_call("ip route replace %s via %s" % (cidr, gateway), shell=True)
