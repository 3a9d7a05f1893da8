import re

from flask import Flask, jsonify, request

app = Flask(__name__)
PORTS = [{"name": "tap0-1"}, {"name": "qr-2"}]


@app.route("/ports")
def find_ports():
    name = request.args["name"]
    rx = re.compile(name)
    return jsonify([p for p in PORTS if rx.search(p["name"])])
