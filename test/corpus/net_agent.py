"""An L3/DHCP agent helper module in the style of OpenStack Neutron."""
import ipaddress
import logging
import os
import re
import shlex
import socket
import subprocess
import tempfile

from oslo_concurrency import lockutils
from oslo_concurrency import processutils
from oslo_config import cfg

LOG = logging.getLogger(__name__)

IFACE_RE = re.compile(r"^[a-zA-Z0-9_.-]{1,15}$")
ALLOWED_SYSCTLS = {"net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"}

OPTS = [
    cfg.StrOpt("admin_password", help="Password of the admin user"),  # flag
    cfg.StrOpt("admin_password_secret", secret=True, help="Password"),  # noflag
    cfg.StrOpt("interface_driver", help="Driver used to plug interfaces"),  # noflag
]


def set_sysctl(key, value):
    subprocess.run(f"sysctl -w {key}={value}", shell=True, check=True)  # flag


def set_sysctl_checked(key, value):
    if key not in ALLOWED_SYSCTLS:
        raise ValueError(key)
    subprocess.run(["sysctl", "-w", "%s=%d" % (key, int(value))], check=True)  # noflag


def add_address(namespace, device, cidr):
    processutils.execute("ip", "netns", "exec", namespace, "ip", "addr", "add", cidr,  # flag
                         "dev", device, run_as_root=True)


def add_address_validated(namespace, device, cidr):
    net = ipaddress.ip_interface(cidr)
    if not IFACE_RE.fullmatch(device) or not IFACE_RE.fullmatch(namespace):
        raise ValueError("bad device")
    processutils.execute("ip", "netns", "exec", namespace, "ip", "addr", "add", str(net),  # noflag
                         "dev", device, run_as_root=True)


def flush_conntrack(zone):
    os.system("conntrack -D -w %s" % zone)  # flag


def flush_all_conntrack():
    os.system("conntrack -F")  # noflag


def list_namespaces():
    out = subprocess.check_output(["ip", "netns", "list"])  # noflag
    return out.decode().split()


def quoted_route(dest):
    cmd = "ip route replace %s" % shlex.quote(dest)
    subprocess.check_call(cmd, shell=True)  # noflag


def plug(iface):
    with lockutils.lock("plug-%s" % iface):  # flag
        LOG.debug("plugging %s", iface)


def plug_static():
    with lockutils.lock("plug-global"):  # noflag
        LOG.debug("plugging")


def delete_port(port_id):
    try:
        processutils.execute("ovs-vsctl", "--if-exists", "del-port", "br-int", port_id,  # flag
                             run_as_root=True)
    except processutils.ProcessExecutionError as exc:
        LOG.error("Failed to delete port %s: %s", port_id, exc)  # flag
        LOG.error("Failed to delete port %s (exit %s)", port_id, exc.exit_code)  # noflag
        raise


def cleanup_namespace(namespace):
    try:
        processutils.execute("ip", "netns", "delete", namespace, run_as_root=True)  # flag
    except Exception:  # flag
        pass


def parse_leases(path):
    try:
        with open(path) as f:  # noflag
            return f.read().splitlines()
    except FileNotFoundError:  # noflag
        return []


def connect_metadata(password):
    LOG.debug("Connecting to metadata proxy with password %s", password)  # flag
    LOG.debug("Connecting to metadata proxy")  # noflag


def serve_metadata(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("0.0.0.0", port))  # flag
    sock.listen(5)
    conn, _ = sock.accept()
    data = conn.recv(1024)
    subprocess.run("logger " + data.decode(), shell=True)  # flag
    subprocess.run(["logger", "--", data.decode()])  # noflag


def serve_local(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", port))  # noflag
    return sock


def write_pidfile(pid):
    path = tempfile.mktemp(suffix=".pid")  # flag
    with open(path, "w") as f:
        f.write(str(pid))


def write_pidfile_safe(pid):
    fd, path = tempfile.mkstemp(suffix=".pid")  # noflag
    with os.fdopen(fd, "w") as f:
        f.write(str(pid))
    return path


def make_shared(path):
    os.chmod(path, 0o777)  # flag


def make_private(path):
    os.chmod(path, 0o600)  # noflag
