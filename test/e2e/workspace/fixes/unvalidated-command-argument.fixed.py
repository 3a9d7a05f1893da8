from oslo_concurrency import processutils
import re


def link_up(iface):
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.:@-]{0,14}", iface):
        raise ValueError("invalid iface")
    processutils.execute("ip", "link", "set", iface, "up", run_as_root=True)
