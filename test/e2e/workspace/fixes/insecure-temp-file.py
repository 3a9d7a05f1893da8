import os
import tempfile


def dump_flows(bridge):
    path = tempfile.mktemp(suffix=".flows")
    bridge.dump_flows_to(path)
    return path
