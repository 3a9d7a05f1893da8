import type { Node } from 'web-tree-sitter';
import { compact, ensureImport, replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { stringText } from '../crypto/context';
import { descendantsIn } from '../../server/src/engine/trees';

const FTP = ['ftplib.FTP'];

/** The name the FTP object is bound to: `ftp = FTP(...)` or `with FTP(...) as ftp`. */
function boundName(site: CallSite): string | null {
  const p = site.node.parent;
  if (p?.type === 'assignment' && p.childForFieldName('right')?.id === site.node.id) return p.childForFieldName('left')?.text ?? null;
  if (p?.type === 'as_pattern') return p.childForFieldName('alias')?.text ?? null;
  return null;
}

const ANONYMOUS = /^(anonymous|ftp)$/i;

type Login = 'account' | 'anonymous' | 'unseen';

/** A login with a real account: user/passwd to the constructor, or `name.login(user, pw)` nearby. */
function login(site: CallSite): Login {
  const user = site.keywords.get('user') ?? site.positional[1];
  const pass = site.keywords.get('passwd') ?? site.positional[2];
  if (user || pass) return user?.type === 'string' && ANONYMOUS.test(stringText(user)) ? 'anonymous' : 'account';
  const name = boundName(site);
  if (!name) return 'unseen';
  let anonymous = false;
  let scope: Node | null = site.node.parent;
  while (scope && scope.type !== 'function_definition' && scope.type !== 'module') scope = scope.parent;
  for (const call of scope ? descendantsIn(scope, 'call') : []) {
    const fn = call?.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'login' || fn.childForFieldName('object')?.text !== name) continue;
    const args = call!.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment') ?? [];
    const first = args[0];
    const userArg = first?.type === 'keyword_argument' ? (first.childForFieldName('name')?.text === 'user' ? first.childForFieldName('value') : null) : first;
    if (!args.length || (userArg?.type === 'string' && ANONYMOUS.test(stringText(userArg)))) {
      anonymous = true; // login() and login("anonymous", ...) send no secret
      continue;
    }
    return 'account';
  }
  return anonymous ? 'anonymous' : 'unseen';
}

function fix(site: CallSite, ctx: Ctx): Fix | undefined {
  const callee = site.callee;
  if (!callee) return undefined;
  const title = 'Use ftplib.FTP_TLS (FTP over TLS)';
  if (callee.type === 'attribute' && ctx.names.resolve(callee.childForFieldName('object')) === 'ftplib') {
    return { title, safe: false, edits: [replaceNode(callee.childForFieldName('attribute')!, 'FTP_TLS')] };
  }
  if (callee.type === 'identifier') return { title, safe: false, edits: compact([replaceNode(callee, 'ftplib.FTP_TLS'), ensureImport(ctx.module, ctx.text, 'ftplib')]) };
  return undefined;
}

const rule: Rule = {
  code: 'SL407',
  name: 'cleartext-ftp-login',
  category: 'transport',
  summary: 'FTP login: user name and password sent in clear text',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [319],
  bandit: ['B321', 'B402'],
  ruff: ['S321', 'S402'],
  fix: 'sometimes',
  explanation: {
    what:
      'An `ftplib.FTP` connection logs in with an account: a user or password is passed to the constructor, or `login(user, password)` is called on the object in the same function (or module). An `FTP` object whose login is not visible (it is passed elsewhere) is an audit hint; anonymous logins (`login()`, `"anonymous"`, `"ftp"`), `ftplib.FTP_TLS` and a bare `import ftplib` are not reported.',
    why:
      'Plain FTP sends the USER and PASS commands, and then every file, unencrypted. Anyone who can see the traffic (same network segment, a compromised router, a cloud provider\'s mirror port) collects the password and can read or replace the files in transit.',
    example:
      'import ftplib\n\n\ndef upload_backup(host, user, password, path):\n    ftp = ftplib.FTP(host)\n    ftp.login(user, password)\n    with open(path, "rb") as f:\n        ftp.storbinary("STOR backup.tar.gz", f)',
    useInstead:
      'import ftplib\n\n\ndef upload_backup(host, user, password, path):\n    ftp = ftplib.FTP_TLS(host)\n    ftp.login(user, password)  # secures the control channel first\n    ftp.prot_p()  # and the data channel\n    with open(path, "rb") as f:\n        ftp.storbinary("STOR backup.tar.gz", f)\n\n\n# better still: SFTP (paramiko.SFTPClient)',
    fixSafety:
      'Unsafe: the fix replaces `ftplib.FTP` with `ftplib.FTP_TLS`, whose `login()` first upgrades the control channel with AUTH TLS, so the password is protected. The server must support FTPS (explicit TLS) and present a certificate the client accepts; file transfers stay in clear text until you also call `prot_p()` after logging in.',
    references: [
      'https://cwe.mitre.org/data/definitions/319.html',
      'https://docs.python.org/3/library/ftplib.html#ftplib.FTP_TLS',
      'https://www.rfc-editor.org/rfc/rfc4217',
    ],
  },
  triggers: ['FTP'],
  onCall(site, ctx) {
    if (!matchesAny(site.qname, FTP)) return;
    const how = login(site);
    if (how === 'anonymous') return;
    if (how === 'unseen') {
      ctx.report({
        node: site.node,
        level: 'info',
        confidence: 'low',
        message: 'Plain FTP sends any login and every file unencrypted; no login is visible here, so check whether this connection authenticates. Use ftplib.FTP_TLS (then prot_p()) or SFTP if it does.',
      });
      return;
    }
    ctx.report({
      node: site.node,
      message: 'This FTP connection logs in with an account over plain FTP: the user name, password and files cross the network unencrypted. Use ftplib.FTP_TLS (then prot_p()) or SFTP.',
      fix: fix(site, ctx),
    });
  },
};

export default rule;
