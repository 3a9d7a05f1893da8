"""A small Flask service."""
import hashlib
import html
import os
import pickle
import random
import secrets
import sqlite3
import subprocess

import requests
import yaml
from flask import Flask, abort, make_response, redirect, render_template_string, request, send_file, url_for
from werkzeug.utils import secure_filename

app = Flask(__name__)
app.secret_key = "s3cr3t-k3y-for-sessions-9f8a7b"  # flag
app.config["SECRET_KEY_FALLBACK"] = os.environ.get("FALLBACK_KEY")  # noflag

UPLOADS = "/srv/uploads"
DB = "app.db"


@app.route("/ping")
def ping():
    host = request.args.get("host", "")
    out = subprocess.check_output("ping -c 1 " + host, shell=True)  # flag
    return out


@app.route("/ping2")
def ping2():
    host = request.args.get("host", "")
    out = subprocess.check_output(["ping", "-c", "1", "--", host])  # flag
    return out


@app.route("/user")
def user():
    name = request.args["name"]
    conn = sqlite3.connect(DB)
    rows = conn.execute("SELECT * FROM users WHERE name = '%s'" % name).fetchall()  # flag
    rows2 = conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchall()  # noflag
    return {"rows": rows + rows2}


@app.route("/search")
def search():
    q = request.args.get("q", "")
    cur = sqlite3.connect(DB).cursor()
    cur.execute(f"SELECT id FROM items WHERE title LIKE '%{q}%'")  # flag
    cur.execute("SELECT id FROM items WHERE title LIKE ?", ("%" + q + "%",))  # noflag
    return {"ids": [r[0] for r in cur.fetchall()]}


@app.route("/hello")
def hello():
    name = request.args.get("name", "world")
    return render_template_string("<h1>Hello " + name + "</h1>")  # flag


@app.route("/hello2")
def hello2():
    name = request.args.get("name", "world")
    return render_template_string("<h1>Hello {{ name }}</h1>", name=name)  # noflag


@app.route("/greet")
def greet():
    name = request.args.get("name", "")
    return make_response("<p>Hi " + name + "</p>")  # flag


@app.route("/greet2")
def greet2():
    name = request.args.get("name", "")
    return make_response("<p>Hi " + html.escape(name) + "</p>")  # noflag


@app.route("/download")
def download():
    fname = request.args["file"]
    return send_file(os.path.join(UPLOADS, fname))  # flag


@app.route("/download2")
def download2():
    fname = secure_filename(request.args["file"])
    return send_file(os.path.join(UPLOADS, fname))  # noflag


@app.route("/next")
def next_page():
    target = request.args.get("next")
    return redirect(target)  # flag


@app.route("/home")
def home():
    return redirect(url_for("ping"))  # noflag


@app.route("/fetch")
def fetch():
    url = request.args["url"]
    r = requests.get(url, timeout=5)  # flag
    return r.text


@app.route("/status")
def status():
    r = requests.get("https://status.example.com/api", timeout=5)  # noflag
    return r.text


@app.route("/load", methods=["POST"])
def load():
    obj = pickle.loads(request.data)  # flag
    cfg = yaml.load(request.data)  # flag
    cfg2 = yaml.safe_load(request.data)  # noflag
    return {"obj": str(obj), "cfg": cfg, "cfg2": cfg2}


@app.route("/calc")
def calc():
    expr = request.args.get("expr", "0")
    return str(eval(expr))  # flag


def make_token():
    return "".join(random.choice("abcdef0123456789") for _ in range(32))  # flag


def make_token_safe():
    return secrets.token_hex(16)  # noflag


def hash_password(password):
    return hashlib.md5(password.encode()).hexdigest()  # flag


def etag(body):
    return hashlib.md5(body, usedforsecurity=False).hexdigest()  # noflag


def backoff():
    return random.uniform(0.5, 1.5)  # noflag


def call_internal(token):
    return requests.get("https://internal.example.com/api", headers={"X-Token": token}, verify=False, timeout=5)  # flag


def call_internal_ok(token):
    return requests.get("https://internal.example.com/api", headers={"X-Token": token}, timeout=5)  # noflag


def call_slow():
    return requests.get("https://example.com/slow")  # flag


@app.errorhandler(500)
def on_error(e):
    return {"error": str(e)}, 500  # flag


@app.errorhandler(404)
def on_missing(e):
    return {"error": "not found"}, 404  # noflag


if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)  # flag
