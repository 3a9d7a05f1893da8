from flask import Flask, make_response

app = Flask(__name__)


@app.route("/prefs")
def prefs():
    resp = make_response("ok")
    resp.set_cookie("theme", "dark", max_age=3600, secure=True, httponly=True, samesite="Lax")
    return resp
