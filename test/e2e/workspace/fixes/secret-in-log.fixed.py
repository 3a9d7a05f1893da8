import logging

LOG = logging.getLogger(__name__)


def authenticate(session, username, password):
    LOG.debug("Authenticating %s with password %s", username, "***")
    return session.post("/v3/auth/tokens", json={"user": username, "password": password})
