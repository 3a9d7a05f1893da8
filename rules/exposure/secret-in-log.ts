import type { Node } from 'web-tree-sitter';
import { replaceNode } from '../../server/src/engine/fixes';
import type { Ctx, Rule } from '../../server/src/engine/rule';
import type { TextEdit } from '../../server/src/engine/types';
import { isSecretName, literalText, nameOf } from '../secrets/secret-names';
import { assignmentsBefore, isLogCall, scopeNodeOf, LOG_TRIGGER_PATTERN, LOG_TRIGGERS, sinkName } from '../support';

/** Calls whose result is text made of their arguments: look inside them. */
const TEXT_CALLS = /^(str|repr|format|six\.text_type|unicode)$/;

/** A credential read by name: `password`, `self.conf.admin_password`, `creds["token"]`, `kwargs.get("password")`. */
function secretRead(node: Node): string | null {
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'get') return null;
    const key = literalText(node.childForFieldName('arguments')?.namedChildren.find((c) => c && c.type !== 'comment'));
    return key && isSecretName(key, true) ? key : null;
  }
  if (node.type !== 'identifier' && node.type !== 'attribute' && node.type !== 'subscript') return null;
  const name = nameOf(node);
  return name && isSecretName(name, true) ? name : null;
}

/**
 * `body` of `body = {"auth": {"password": password}}` earlier in the same function: a request
 * body or credentials dict built here with a credential in it (not one passed in, whose content is unknown).
 */
function dictWithSecret(name: Node): string | null {
  for (const a of assignmentsBefore(scopeNodeOf(name), name.text, name)) {
    const right = a.childForFieldName('right');
    if (right?.type !== 'dictionary') continue;
    for (const pair of [right, ...right.descendantsOfType('dictionary')].flatMap((d) => d?.namedChildren ?? [])) {
      if (pair?.type !== 'pair') continue;
      const key = literalText(pair.childForFieldName('key'));
      const value = pair.childForFieldName('value');
      if (key && isSecretName(key, true) && value && value.type !== 'none' && value.type !== 'string') return key;
    }
  }
  return null;
}

interface Hit {
  node: Node;
  name: string;
  /** The edit hiding it: `"***"` for an expression, `***` for an f-string interpolation. */
  edit: TextEdit;
}

/**
 * The credentials that a log argument writes out: found through f-strings, `%`, `+`,
 * `.format()`, tuples and dicts (a dict value keyed `"password"` counts whatever it is called),
 * but not through other calls (`len(password)`, `mask_password(body)`) or comparisons.
 */
function hits(node: Node, ctx: Ctx, out: Hit[], keyedSecret: string | null = null): Hit[] {
  const hide = (n: Node, name: string, edit?: TextEdit) => {
    // A constant is SL901's business; a None or literal here shows nothing secret.
    if (ctx.valueOf(n).sources.length === 0) return;
    out.push({ node: n, name, edit: edit ?? replaceNode(n, '"***"') });
  };
  const direct = secretRead(node);
  if (direct) {
    hide(node, direct);
    return out;
  }
  const carried = node.type === 'identifier' ? dictWithSecret(node) : null;
  if (carried) {
    hide(node, carried);
    return out;
  }
  if (keyedSecret && ['identifier', 'attribute', 'subscript', 'call'].includes(node.type)) {
    hide(node, keyedSecret);
    return out;
  }
  switch (node.type) {
    case 'string':
      for (const c of node.namedChildren) {
        if (c?.type !== 'interpolation') continue;
        const expr = c.childForFieldName('expression') ?? c.namedChild(0);
        const name = expr ? secretRead(expr) : null;
        if (expr && name) hide(expr, name, replaceNode(c, '***'));
        else if (expr) hits(expr, ctx, out);
      }
      break;
    case 'pair': {
      const key = literalText(node.childForFieldName('key'));
      const value = node.childForFieldName('value');
      if (value) hits(value, ctx, out, key && isSecretName(key, true) ? key : null);
      break;
    }
    case 'keyword_argument': {
      const key = node.childForFieldName('name')?.text ?? '';
      const value = node.childForFieldName('value');
      if (value) hits(value, ctx, out, isSecretName(key, true) ? key : null);
      break;
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : null;
      const isFormat = method === 'format' || method === 'join' || (fn?.type === 'identifier' && TEXT_CALLS.test(fn.text));
      if (!isFormat) break;
      if (method && fn) hits(fn.childForFieldName('object')!, ctx, out);
      for (const a of node.childForFieldName('arguments')?.namedChildren ?? []) if (a) hits(a, ctx, out);
      break;
    }
    case 'binary_operator': case 'tuple': case 'list': case 'dictionary': case 'parenthesized_expression':
    case 'concatenated_string': case 'conditional_expression': case 'expression_list':
      for (const c of node.namedChildren) if (c && c.type !== 'comment') hits(c, ctx, out);
      break;
    default:
      break;
  }
  return out;
}

const rule: Rule = {
  code: 'SL204',
  name: 'secret-in-log',
  category: 'exposure',
  summary: 'Password, token or key written to a log',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [532],
  bandit: [],
  ruff: [],
  fix: 'sometimes',
  explanation: {
    what:
      'A logger call (`LOG.*`, `logger.*`, `logging.*`, `self.log.*`) writes out a value read from a credential name: a variable, attribute or key whose last word is `password`, `passwd`, `secret`, `token`, `credentials`, `api_key`, `private_key`, ... (`password`, `self.conf.admin_password`, `context.auth_token`, `creds["password"]`, `body.get("token")`), or a dict value keyed like one (`{"password": pw}`, `.format(password=pw)`), directly, as a `%`-style argument, or inside an f-string, `%`, `+` or `.format()` message. Values passed through another call (`len(password)`, `strutils.mask_password(body)`, `bool(token)`) are not reported, and neither are objects that may or may not contain credentials (`LOG.debug("conf %s", conf)`): those would flag too much that is harmless. A dict built in the same function with a credential in it (`body = {"auth": {"password": password}}`) is reported when logged whole.',
    why:
      'Logs are written at debug level in many deployments, kept for months, shipped to central aggregators and read by operators, support staff and monitoring tools that have no business seeing credentials (CWE-532). A password or token in a log line is as good as a leaked password: whoever reads the log can use it until it is rotated.',
    example:
      'def authenticate(self, username, password):\n    LOG.debug("Authenticating %s with password %s", username, password)',
    useInstead:
      'def authenticate(self, username, password):\n    LOG.debug("Authenticating %s", username)\n\n# or mask request bodies first:\nLOG.debug("Request body: %s", strutils.mask_password(body))',
    fixSafety:
      'Safe: each credential in the logger arguments is replaced with the literal `"***"` (inside an f-string, the `{password}` field becomes `***`). The call, its format string and the other arguments stay as they were, so only the text written to the log changes.',
    references: [
      'https://cwe.mitre.org/data/definitions/532.html',
      'https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html',
      'https://docs.openstack.org/oslo.utils/latest/reference/strutils.html#oslo_utils.strutils.mask_password',
      'https://docs.python.org/3/library/logging.html#logging.Logger.debug',
    ],
  },
  triggers: LOG_TRIGGERS,
  triggerPattern: LOG_TRIGGER_PATTERN,
  onCall(site, ctx) {
    if (!isLogCall(site)) return;
    const found: Hit[] = [];
    for (const a of site.positional) hits(a, ctx, found);
    if (found.length === 0) return;
    const names = [...new Set(found.map((h) => `\`${h.name}\``))].join(', ');
    ctx.report({
      node: found[0].node,
      message: `Credential ${names} is written to the log by ${sinkName(site)}: logs are kept long, shipped widely and read by people who must not hold credentials. Leave it out of the message, or mask it (strutils.mask_password for request bodies).`,
      fix: { title: 'Replace the credential in the log call with "***"', safe: true, edits: found.map((h) => h.edit) },
    });
  },
};

export default rule;
