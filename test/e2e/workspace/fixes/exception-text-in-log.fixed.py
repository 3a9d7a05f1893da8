import logging

LOG = logging.getLogger(__name__)


def reload(agent):
    try:
        agent.reload()
    except RuntimeError as e:
        LOG.error("Reload failed: %s", type(e).__name__)
