import os

from flask import Flask, request, send_file

app = Flask(__name__)
REPORT_DIR = "/var/lib/dashboard/reports"


@app.route("/reports")
def report():
    name = request.args["name"]
    return send_file(os.path.join(REPORT_DIR, name))
