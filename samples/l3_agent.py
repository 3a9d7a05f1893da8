"""A sample in the style of a network agent, for trying SecLens: `npx seclens scan samples`."""
import logging
import subprocess

from oslo_concurrency import lockutils
from oslo_concurrency import processutils

LOG = logging.getLogger(__name__)


def enable_proxy_arp(iface):
    with lockutils.lock("proxy-arp-%s" % iface):
        processutils.execute("sysctl", "-w", "net.ipv4.conf.%s.proxy_arp=1" % iface, run_as_root=True)


def set_sysctl(key, val):
    try:
        subprocess.run(f"sysctl -w {key}={val}", shell=True, check=True)
    except subprocess.CalledProcessError as e:
        LOG.error("Failed to set %s: %s", key, e)
