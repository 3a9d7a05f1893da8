// Deterministic Python for the benchmarks: OpenStack-agent and Flask style modules with the
// usual mix of safe calls, a few risky ones, helpers, classes and imports.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEADER = `"""Generated module for the SecLens benchmarks."""
import json
import logging
import os
import subprocess

from oslo_concurrency import lockutils
from oslo_concurrency import processutils

LOG = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 30
`;

const BLOCKS = [
  (i) => `

def set_sysctl_${i}(key, value):
    cmd = ["sysctl", "-w", "%s=%s" % (key, value)]
    try:
        processutils.execute(*cmd, run_as_root=True)
    except processutils.ProcessExecutionError as exc:
        LOG.error("sysctl %s failed: %s", key, exc)
        raise
`,
  (i) => `

def list_namespaces_${i}(prefix="qrouter-"):
    out = subprocess.check_output(["ip", "netns", "list"], timeout=DEFAULT_TIMEOUT)
    names = []
    for line in out.decode("utf-8").splitlines():
        name = line.split()[0]
        if name.startswith(prefix):
            names.append(name)
    return sorted(names)
`,
  (i) => `

class RouterInfo${i}(object):
    """State of one router: ports, floating IPs and routes."""

    def __init__(self, router_id, ns_name=None):
        self.router_id = router_id
        self.ns_name = ns_name or "qrouter-%s" % router_id
        self.ports = {}
        self.routes = []

    def _cmd(self, *args):
        return ["ip", "netns", "exec", self.ns_name] + list(args)

    def add_route(self, cidr, via):
        with lockutils.lock("router-%s" % self.router_id):
            self.routes.append((cidr, via))
            processutils.execute(*self._cmd("ip", "route", "replace", cidr, "via", via), run_as_root=True)

    def describe(self):
        data = {"id": self.router_id, "ns": self.ns_name, "routes": len(self.routes)}
        return json.dumps(data, sort_keys=True)
`,
  (i) => `

def flush_conntrack_${i}(zone):
    os.system("conntrack -D -w %s" % zone)
`,
  (i) => `

def read_config_${i}(path):
    if not os.path.exists(path):
        return {}
    with open(path) as fh:
        text = fh.read()
    result = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        result[key.strip()] = value.strip()
    return result
`,
  (i) => `

def compute_stats_${i}(values):
    total = 0
    count = 0
    biggest = None
    for v in values:
        total += v
        count += 1
        if biggest is None or v > biggest:
            biggest = v
    mean = total / count if count else 0.0
    return {"total": total, "count": count, "max": biggest, "mean": mean}
`,
];

/** A module of about `lines` lines; `seed` picks the mix. */
export function pythonModule(lines, seed) {
  const random = rng(seed);
  const parts = [HEADER];
  let n = HEADER.split('\n').length;
  for (let i = 0; n < lines; i++) {
    // Risky blocks (3) are rarer than the rest, as in real code.
    let k = Math.floor(random() * BLOCKS.length);
    if (k === 3 && random() < 0.7) k = 5;
    const block = BLOCKS[k](i);
    parts.push(block);
    n += block.split('\n').length - 1;
  }
  return parts.join('');
}

/** `files` modules of about `lines` lines each under `dir`, 50 to a package. */
export function generateTree(dir, files, lines) {
  for (let i = 0; i < files; i++) {
    const pkg = join(dir, `pkg${Math.floor(i / 50)}`);
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, `mod${i}.py`), pythonModule(lines, i + 1));
  }
}
