import os

PID_DIR = "/var/lib/neutron/external/pids"


def read_pid(router_id):
    f = open(os.path.join(PID_DIR, router_id))
    pid = int(f.read().strip())
    f.close()
    return pid
