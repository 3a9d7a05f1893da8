import type { Node } from 'web-tree-sitter';
import { compact, ensureImport, insertBeforeStatement, replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix, TextEdit } from '../../server/src/engine/types';

const LAX = ['paramiko.AutoAddPolicy', 'paramiko.WarningPolicy', 'paramiko.client.AutoAddPolicy', 'paramiko.client.WarningPolicy'];
const ASYNCSSH = ['asyncssh.connect', 'asyncssh.connect_reverse', 'asyncssh.SSHClientConnectionOptions', 'asyncssh.create_connection'];

/** `paramiko.AutoAddPolicy()` or the class itself (paramiko instantiates a class it is given). */
function policyName(arg: Node | undefined, ctx: Ctx): { node: Node; qname: string } | null {
  if (!arg) return null;
  const target = arg.type === 'call' ? arg.childForFieldName('function') : arg;
  const q = ctx.names.resolve(target);
  return target && q && matchesAny(q, LAX) ? { node: target, qname: q } : null;
}

function buildFix(site: CallSite, policy: Node, ctx: Ctx): Fix | undefined {
  const receiver = site.callee?.childForFieldName('object');
  if (!receiver) return undefined;
  const edits: (TextEdit | null)[] = [];
  if (policy.type === 'attribute' && ctx.names.resolve(policy.childForFieldName('object'))?.startsWith('paramiko')) {
    edits.push(replaceNode(policy.childForFieldName('attribute')!, 'RejectPolicy'));
  } else if (policy.type === 'identifier') {
    edits.push(replaceNode(policy, 'paramiko.RejectPolicy'), ensureImport(ctx.module, ctx.text, 'paramiko'));
  } else {
    return undefined;
  }
  // Known hosts must come from somewhere once unknown ones are rejected.
  let scope: Node | null = site.node.parent;
  while (scope && scope.type !== 'function_definition' && scope.type !== 'module') scope = scope.parent;
  const loads = new RegExp(`${receiver.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.load_(system_)?host_keys\\(`).test(scope?.type === 'module' ? ctx.text : (scope?.text ?? ''));
  if (!loads) {
    const line = insertBeforeStatement(ctx.text, site.node, [`${receiver.text}.load_system_host_keys()`]);
    if (!line) return undefined;
    edits.push(line);
  }
  return { title: 'Reject unknown host keys (RejectPolicy + load_system_host_keys)', safe: false, edits: compact(edits) };
}

const rule: Rule = {
  code: 'SL409',
  name: 'ssh-host-key-not-verified',
  category: 'transport',
  summary: 'SSH client accepts any host key (paramiko AutoAddPolicy/WarningPolicy, asyncssh known_hosts=None)',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [295, 322],
  bandit: ['B507'],
  ruff: ['S507'],
  fix: 'sometimes',
  explanation: {
    what:
      'An SSH client trusts whatever host key the server presents: paramiko\'s `set_missing_host_key_policy()` given `AutoAddPolicy` or `WarningPolicy` (instance or class), or asyncssh\'s `connect(..., known_hosts=None)`. `RejectPolicy` and custom policy classes are not reported.',
    why:
      'The host key is how an SSH client knows it reached the real server. Accepting unknown keys means the first connection (and, with `WarningPolicy`, every connection) can be intercepted: a man in the middle presents its own key, receives the password or forwards the session, and sees every command, including the `sudo` and configuration pushes an automation agent sends.',
    example:
      'import paramiko\n\n\ndef run_on_host(host, user, key_file, command):\n    client = paramiko.SSHClient()\n    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())\n    client.connect(host, username=user, key_filename=key_file)\n    return client.exec_command(command)',
    useInstead:
      'import paramiko\n\n\ndef run_on_host(host, user, key_file, command):\n    client = paramiko.SSHClient()\n    client.load_system_host_keys()  # or load_host_keys(path) of a managed known_hosts\n    client.set_missing_host_key_policy(paramiko.RejectPolicy())\n    client.connect(host, username=user, key_filename=key_file)\n    return client.exec_command(command)',
    fixSafety:
      'Unsafe: the fix switches to `paramiko.RejectPolicy()` and, unless the function already loads host keys, adds `client.load_system_host_keys()` before the call. Connections to hosts whose keys are not in `~/.ssh/known_hosts` (freshly built VMs, rebuilt switches) now fail with `SSHException` until their keys are distributed, e.g. by provisioning or `load_host_keys()` of a managed file.',
    references: [
      'https://cwe.mitre.org/data/definitions/295.html',
      'https://cwe.mitre.org/data/definitions/322.html',
      'https://docs.paramiko.org/en/stable/api/client.html#paramiko.client.SSHClient.set_missing_host_key_policy',
      'https://asyncssh.readthedocs.io/en/latest/api.html#specifying-known-hosts',
    ],
  },
  // asyncssh only with `known_hosts=None`; paramiko's policy setter.
  triggers: ['known_hosts', 'set_missing_host_key_policy'],
  onCall(site, ctx) {
    if (matchesAny(site.qname, ASYNCSSH)) {
      const known = site.keywords.get('known_hosts');
      if (known?.type === 'none') {
        ctx.report({
          node: known.parent ?? known,
          message: '`known_hosts=None` makes asyncssh accept any host key, so a man in the middle can impersonate the server and see the session. Leave the default (~/.ssh/known_hosts) or pass a known-hosts file.',
        });
      }
      return;
    }
    if (site.callee?.type !== 'attribute' || site.callee.childForFieldName('attribute')?.text !== 'set_missing_host_key_policy') return;
    const policy = policyName(site.positional[0] ?? site.keywords.get('policy'), ctx);
    if (!policy) return;
    const name = policy.qname.split('.').pop();
    ctx.report({
      node: site.node,
      message: `${name} accepts ${name === 'WarningPolicy' ? '(with only a log line) ' : ''}any unknown host key, so a man in the middle can impersonate the server and capture the credentials and commands. Load known host keys (load_system_host_keys()) and use paramiko.RejectPolicy().`,
      fix: buildFix(site, policy.node, ctx),
    });
  },
};

export default rule;
