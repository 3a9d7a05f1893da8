import logging

LOG = logging.getLogger(__name__)


def cleanup_namespace(ip_lib, name):
    try:
        ip_lib.delete_namespace(name)
    except Exception:
        pass
