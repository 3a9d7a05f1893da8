import logging

from flask import Flask, request

app = Flask(__name__)
LOG = logging.getLogger(__name__)


@app.route("/login", methods=["POST"])
def login():
    user = request.form["username"]
    LOG.info("Login attempt for %s", user)
    return "", 204
