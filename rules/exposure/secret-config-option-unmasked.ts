import { insertAt, replaceNode } from '../../server/src/engine/fixes';
import type { Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { isOptClass, isSecretName, literalText, words } from '../secrets/secret-names';

/** Options whose value is a URL or DSN that normally carries a password (`connection`, `transport_url`). */
function carriesUrlPassword(name: string): boolean {
  const w = words(name);
  const last = w[w.length - 1];
  return last === 'connection' || (last === 'url' && ['transport', 'sql', 'database', 'db', 'slave', 'backend', 'broker', 'redis', 'amqp'].includes(w[w.length - 2] ?? ''));
}

const rule: Rule = {
  code: 'SL203',
  name: 'secret-config-option-unmasked',
  category: 'exposure',
  summary: 'oslo.config option holding a password or key without secret=True',
  severity: 'medium',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [532, 200],
  bandit: ['B109'],
  ruff: [],
  fix: 'sometimes',
  explanation: {
    what:
      'An oslo.config option (`cfg.StrOpt`, `cfg.Opt`, `cfg.URIOpt`, `cfg.ListOpt`, `cfg.DictOpt`) is named like a credential (`admin_password`, `metadata_proxy_shared_secret`, `auth_token`, `api_key`, `encryption_key`, ...) and is declared without `secret=True` (or with `secret=False`). Options whose value is a URL or DSN that usually carries a password (`connection`, `transport_url`, `sql_connection`) are reported at information level.',
    why:
      'oslo.config prints every option\'s value when a service starts with debug logging (`CONF.log_opt_values()`), and tools such as oslo-config-generator and support bundles dump them too; only options declared with `secret=True` are masked as `****`. A password option without it is written in clear text to log files and shipped to log aggregators (CWE-532).',
    example:
      'opts = [\n    cfg.StrOpt("admin_password", help="Password of the admin user"),\n]',
    useInstead:
      'opts = [\n    cfg.StrOpt("admin_password", secret=True, help="Password of the admin user"),\n]',
    fixSafety:
      'Safe: `secret=True` is added (or `secret=False` becomes `secret=True`). It only changes how the value is shown when options are logged or dumped (`****`); the value the service reads is the same.',
    references: [
      'https://cwe.mitre.org/data/definitions/532.html',
      'https://docs.openstack.org/oslo.config/latest/reference/opts.html',
      'https://docs.openstack.org/oslo.config/latest/reference/configopts.html',
      'https://docs.openstack.org/security-guide/',
    ],
  },
  triggers: ['StrOpt', 'URIOpt', 'ListOpt', 'DictOpt', 'Opt'],
  onCall(site, ctx) {
    if (site.hasSplat || !isOptClass(site.qname)) return;
    const nameNode = site.positional[0] ?? site.keywords.get('name');
    const name = literalText(nameNode);
    if (!name) return;
    const password = isSecretName(name);
    if (!password && !carriesUrlPassword(name)) return;
    const secret = site.keywords.get('secret');
    if (secret && secret.type !== 'false') return;
    const last = site.args[site.args.length - 1];
    const fix: Fix = secret
      ? { title: 'Mark the option secret=True', safe: true, edits: [replaceNode(secret, 'True')] }
      : { title: 'Mark the option secret=True', safe: true, edits: [insertAt({ line: last.endPosition.row, character: last.endPosition.column }, ', secret=True')] };
    ctx.report({
      node: site.node,
      level: password ? 'warning' : 'info',
      confidence: password ? undefined : 'low',
      message: password
        ? `Option \`${name}\` holds a credential but is not declared secret=True: oslo.config logs option values at startup with debug on (log_opt_values) and only masks secret ones, so the ${secret ? 'value' : 'password'} lands in the logs in clear text. Add secret=True.`
        : `Option \`${name}\` usually holds a URL with a password in it but is not declared secret=True: logged option values show it in clear text. Add secret=True.`,
      fix,
    });
  },
};

export default rule;
