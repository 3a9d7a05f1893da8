from flask import Flask, jsonify

app = Flask(__name__)


@app.route("/ports")
def ports():
    try:
        return jsonify(load_ports())
    except Exception as e:
        return jsonify({"error": "Internal error"}), 500
