import os

PID_DIR = "/var/lib/neutron/external/pids"


def read_pid(router_id):
    with open(os.path.join(PID_DIR, router_id)) as f:
        pid = int(f.read().strip())
    return pid
