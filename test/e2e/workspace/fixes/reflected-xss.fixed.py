from flask import Flask, request
import html

app = Flask(__name__)


@app.route("/search")
def search():
    q = request.args.get("q", "")
    return f"<h1>Results for {html.escape(str(q))}</h1>"
