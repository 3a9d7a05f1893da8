// The engine's first analysis in a process is several times slower than the next ones: the
// grammar's WASM code and the rules' JavaScript are compiled as they first run, and each walk
// query is compiled when first needed. The server analyses this small module, written in the
// styles SecLens users write (an OpenStack agent and a Flask app), once before it answers
// `initialize`, so that the first document opened gets its diagnostics at the warm speed.
import { parse } from '../engine/parser';
import type { Rule } from '../engine/rule';
import { analysis } from '../engine/run';

const SNIPPET = `"""Agent helpers."""
import hashlib
import logging
import os
import pickle
import sqlite3
import subprocess

import requests
import yaml
from flask import Flask, request
from oslo_concurrency import lockutils
from oslo_concurrency import processutils

LOG = logging.getLogger(__name__)
app = Flask(__name__)


def set_sysctl(key, value):
    cmd = ["sysctl", "-w", "%s=%s" % (key, value)]
    try:
        processutils.execute(*cmd, run_as_root=True)
    except processutils.ProcessExecutionError as exc:
        LOG.error("sysctl %s failed: %s", key, exc)
        raise


def flush(zone):
    os.system("conntrack -D -w %s" % zone)
    subprocess.run("ip netns exec %s true" % zone, shell=True, check=False)
    with lockutils.lock("flush-%s" % zone):
        return subprocess.check_output(["ip", "route", "show", zone], timeout=30)


class Store(object):
    def __init__(self, path):
        self.path = path
        self.db = sqlite3.connect(path)

    def find(self, name):
        return self.db.execute("SELECT * FROM t WHERE name = '%s'" % name).fetchall()

    def load(self, blob, text):
        digest = hashlib.md5(blob).hexdigest()
        return digest, pickle.loads(blob), yaml.load(text)


@app.route("/items/<name>")
def item(name):
    path = os.path.join("/srv/items", request.args.get("file", name))
    try:
        with open(path) as f:
            data = f.read()
        resp = requests.get(request.args["url"], verify=False, timeout=5)
        return data + resp.text
    except Exception as e:
        LOG.exception("failed: %s", e)
        return str(e), 500
`;

export function warmUp(rules: readonly Rule[]): void {
  // As an open document is analysed: with incremental state, then once more after an edit.
  const state = {};
  for (const text of [SNIPPET, SNIPPET.replace('def flush(zone):', 'def flush(zone):\n    zone = zone.strip()')]) {
    const tree = parse(text);
    try {
      const slices = analysis(tree, text, rules, { state });
      while (slices.next().done !== true);
    } finally {
      tree.delete();
    }
  }
}
