from oslo_concurrency import processutils


def link_up(iface):
    processutils.execute("ip", "link", "set", iface, "up", run_as_root=True)
