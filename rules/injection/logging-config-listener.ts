import type { Rule } from '../../server/src/engine/rule';
import { matchesAny } from '../../server/src/engine/names';

/** `logging.config.listen(port=9030, verify=None)`: a socket server that applies the configurations it receives. */
const LISTEN = ['logging.config.listen'];

const rule: Rule = {
  code: 'SL107',
  name: 'logging-config-listener',
  category: 'injection',
  summary: 'logging.config.listen() accepts configuration from the network without verification',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [94],
  bandit: ['B612'],
  ruff: [],
  fix: 'none',
  triggers: ['listen'],
  explanation: {
    what:
      'A call to `logging.config.listen()` without a `verify` function. It starts a thread with a socket server (port 9030 by default, on all interfaces the host has) that applies every logging configuration it is sent.',
    why:
      'A logging configuration names the classes, handlers and filters to build, with their arguments; `fileConfig` style configurations pass parts of their text through `eval()`. Anyone who can connect to the port can therefore import modules and run code in the process, or silently redirect its logs. The `verify` callable is the only hook to authenticate what arrives (for example by checking a signature) before it is applied.',
    example:
      'import logging.config\n\nthread = logging.config.listen(9030)\nthread.start()',
    useInstead:
      'import hashlib\nimport hmac\nimport logging.config\n\n\ndef verified(data: bytes):\n    signature, payload = data[:32], data[32:]\n    expected = hmac.new(LOG_CONFIG_KEY, payload, hashlib.sha256).digest()\n    return payload if hmac.compare_digest(signature, expected) else None\n\n\nthread = logging.config.listen(9030, verify=verified)\nthread.start()\n\n# or load configuration from a file the service owns: logging.config.dictConfig(...)',
    references: [
      'https://cwe.mitre.org/data/definitions/94.html',
      'https://docs.python.org/3/library/logging.config.html#logging.config.listen',
    ],
  },
  onCall(site, ctx) {
    if (!matchesAny(site.qname, LISTEN)) return;
    const verify = site.keywords.get('verify') ?? site.positional[1];
    if (site.hasSplat || (verify && verify.type !== 'none')) return;
    ctx.report({
      node: site.node,
      message: 'logging.config.listen() without verify= applies any logging configuration sent to its port, and configurations can import and run code. Pass verify= a function that authenticates the data (e.g. an HMAC check), or load the configuration from a file instead.',
    });
  },
};

export default rule;
