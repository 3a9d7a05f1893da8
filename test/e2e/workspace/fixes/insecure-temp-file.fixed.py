import os
import tempfile


def dump_flows(bridge):
    tmp_fd, path = tempfile.mkstemp(suffix=".flows")
    os.close(tmp_fd)
    bridge.dump_flows_to(path)
    return path
