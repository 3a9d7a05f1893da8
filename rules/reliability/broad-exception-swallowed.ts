import type { Node } from 'web-tree-sitter';
import { replaceNode, indentOf, startsLine } from '../../server/src/engine/fixes';
import { lastSegment, matchesAny, type Names } from '../../server/src/engine/names';
import type { Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix, TextEdit } from '../../server/src/engine/types';
import { isTrue } from '../support';
import type { ModuleTrees } from '../../server/src/engine/trees';

const BROAD = ['Exception', 'BaseException', 'builtins.Exception', 'builtins.BaseException'];

/** Calls whose failure matters: privileged commands, privsep, and the cleanup of namespaces, processes, files and handles. */
const CRITICAL = [
  'os.kill', 'os.killpg', 'os.unlink', 'os.remove', 'os.rmdir', 'os.removedirs', 'shutil.rmtree', 'os.close',
  '*.netns.delete', '*.delete_namespace', '*.delete_network_namespace', '*.garbage_collect_namespace',
  '*.kill', '*.terminate', '*.close', '*.release', '*.unlink', '*.rmtree', '*.shutdown', '*.disconnect',
  '*.umount', '*.unmount', '*.unplug', '*.delete_port', '*.del_port', '*.remove_rule', '*.remove_chain', '*.delete_device',
];
const CRITICAL_TEXT = /\b(iptables|ip6tables|ebtables|nft|ovs-vsctl|ovs-ofctl|sysctl|conntrack|privsep|privileged)\b/;
const LOGGER_NAME = /^_*(log|logger|LOG|LOGGER)$/;
/** Said by every handler inertBody accepts. */
const INERT_WORD = /\bpass\b|\bcontinue\b|\.\.\./;

function isBroad(clause: Node, names: Names): 'bare' | 'broad' | null {
  let value = clause.childForFieldName('value');
  if (!value) return clause.children.some((c) => c?.type === 'except') ? 'bare' : null;
  if (value.type === 'as_pattern') value = value.namedChild(0);
  if (!value) return null;
  const types = value.type === 'tuple' || value.type === 'parenthesized_expression' ? value.namedChildren : [value];
  return types.some((t) => t && matchesAny(names.resolve(t), BROAD)) ? 'broad' : null;
}

/** The statements of the handler, when they do nothing: `pass`, `continue`, `...`. */
function inertBody(clause: Node): Node[] | null {
  const block = clause.namedChildren.find((c) => c?.type === 'block');
  if (!block) return null;
  const stmts = block.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const inert = (s: Node) => s.type === 'pass_statement' || s.type === 'continue_statement' ||
    (s.type === 'expression_statement' && s.namedChild(0)?.type === 'ellipsis');
  return stmts.length > 0 && stmts.every(inert) ? stmts : null;
}

/** What the try block does that must not fail silently, or null. */
function criticalCall(tryBody: Node | null, names: Names): string | null {
  for (const call of tryBody?.descendantsOfType('call') ?? []) {
    if (!call) continue;
    const fn = call.childForFieldName('function');
    const q = names.resolve(fn) ?? fn?.text ?? '';
    const args = call.childForFieldName('arguments');
    const asRoot = args?.namedChildren.some((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'run_as_root' && isTrue(a.childForFieldName('value') ?? undefined));
    if (asRoot) return `a command run as root (\`${lastSegment(q)}(..., run_as_root=True)\`)`;
    if (lastSegment(q).startsWith('priv_') || /(^|\.)(privileged|privsep)\./.test(q)) return `a privsep call (\`${lastSegment(q)}()\`)`;
    if (matchesAny(q, CRITICAL)) return `cleanup (\`${q.includes('.') && !q.startsWith('os.') && !q.startsWith('shutil.') ? `.${lastSegment(q)}` : q}()\`)`;
    if (CRITICAL_TEXT.test(call.text)) return `a privileged system command (\`${CRITICAL_TEXT.exec(call.text)![1]}\`)`;
  }
  return null;
}

const loggerCache = new WeakMap<ModuleTrees, string | null>();

/** `LOG` of `LOG = logging.getLogger(__name__)`, or `logging.getLogger(__name__)` when only `logging` is imported. */
function moduleLogger(ctx: Ctx): string | null {
  if (loggerCache.has(ctx.module)) return loggerCache.get(ctx.module)!;
  let found: string | null = null;
  let hasLogging = false;
  for (const stmt of ctx.module.namedChildren) {
    if (stmt?.type === 'import_statement' && stmt.childrenForFieldName('name').some((n) => n.type === 'dotted_name' && n.text === 'logging')) hasLogging = true;
    const a = stmt?.type === 'expression_statement' ? stmt.namedChild(0) : null;
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type === 'identifier' && LOGGER_NAME.test(left.text) && right?.type === 'call' &&
      /(^|\.)getLogger$/.test(right.childForFieldName('function')?.text ?? '')) {
      found = left.text;
      break;
    }
  }
  const logger = found ?? (hasLogging ? 'logging.getLogger(__name__)' : null);
  loggerCache.set(ctx.module, logger);
  return logger;
}

const rule: Rule = {
  code: 'SL502',
  name: 'broad-exception-swallowed',
  category: 'reliability',
  summary: 'Every exception caught and ignored (except: pass), above all around privileged or cleanup calls',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'info',
  maxLevel: 'warning',
  cwe: [390, 703],
  bandit: ['B110', 'B112'],
  ruff: ['S110', 'S112'],
  fix: 'sometimes',
  // `contextlib.suppress`; `Exception` imported from `builtins` under another name. Otherwise an
  // inert handler (`pass`, `continue`, `...`) and a bare `except:` or a broad type in one statement.
  triggers: ['suppress', 'builtins'],
  triggerPattern: new RegExp(`^(?=[\\s\\S]*?(?:${INERT_WORD.source}))(?=[\\s\\S]*?(?:\\bexcept[\\s\\\\]*:|\\b(?:Base)?Exception\\b))`),
  explanation: {
    what:
      'An `except:`, `except Exception:` or `except BaseException:` handler (alone or in a tuple, with or without `as e`) does nothing but `pass`, `continue` or `...`, or a `with contextlib.suppress(Exception):` block does the same. It is a warning when the `try` block runs something whose failure matters: a command with `run_as_root=True`, a privsep call, an `iptables`/`ovs-vsctl`/`sysctl` command, or cleanup (`netns.delete`, `os.kill`, `os.unlink`/`remove`, `shutil.rmtree`, `.close()`, `.release()`, `.terminate()`, ...); elsewhere it is information only. Handlers for specific exceptions (`except OSError: pass`) are deliberate and not reported.',
    why:
      'Swallowing every exception hides the failure and its cause (CWE-390, CWE-703): a firewall rule that was never removed, a namespace or process left behind, a lock or file never released all look like success, and the system drifts into a state nobody can explain from the logs. A bare `except:` also catches `KeyboardInterrupt` and `SystemExit`, so the process cannot be stopped cleanly, and programming errors (`NameError`, `TypeError`) vanish with the rest.',
    example:
      'def remove_namespace(ns):\n    try:\n        ip_lib.IPWrapper().netns.delete(ns)\n    except Exception:\n        pass',
    useInstead:
      'def remove_namespace(ns):\n    try:\n        ip_lib.IPWrapper().netns.delete(ns)\n    except OSError:\n        LOG.exception("Failed to delete namespace %s", ns)',
    fixSafety:
      'When the module has a logger (`LOG = logging.getLogger(__name__)`, or `logging` imported), `pass` is replaced with (and `continue` is preceded by) `LOG.exception("Ignoring unexpected error")`, and a bare `except:` becomes `except Exception:`. This is unsafe: the exception is still swallowed, but every occurrence now writes a traceback to the log, which can be loud in a loop and includes the exception text. Without a logger, a bare `except:` is only narrowed to `except Exception:`, which is safe: every `Exception` is handled as before and only `KeyboardInterrupt`, `SystemExit` and `GeneratorExit` now propagate, as they are meant to.',
    references: [
      'https://cwe.mitre.org/data/definitions/390.html',
      'https://cwe.mitre.org/data/definitions/703.html',
      'https://docs.python.org/3/tutorial/errors.html#handling-exceptions',
      'https://docs.python.org/3/library/exceptions.html#exception-hierarchy',
      'https://docs.python.org/3/library/logging.html#logging.Logger.exception',
    ],
  },
  nodeTypes: ['except_clause', 'with_statement'],
  onNode(node, ctx) {
    if (node.type === 'with_statement') {
      // `with contextlib.suppress(Exception):` is `except Exception: pass` by another name.
      const clause = node.namedChildren.find((c) => c?.type === 'with_clause');
      for (const item of clause?.namedChildren ?? []) {
        const call = item?.type === 'with_item' ? item.childForFieldName('value') : null;
        if (call?.type !== 'call' || ctx.names.resolve(call.childForFieldName('function')) !== 'contextlib.suppress') continue;
        const types = call.childForFieldName('arguments')?.namedChildren ?? [];
        if (!types.some((t) => t && matchesAny(ctx.names.resolve(t), BROAD))) continue;
        const critical = criticalCall(node.childForFieldName('body'), ctx.names);
        ctx.report({
          node: call,
          level: critical ? 'warning' : 'info',
          confidence: critical ? 'medium' : 'low',
          message: critical
            ? `\`contextlib.suppress(Exception)\` swallows every error from ${critical}: a failure leaves the system half changed with nothing in the logs. Suppress only the specific exception you expect, and log the rest.`
            : '`contextlib.suppress(Exception)` swallows every error silently: failures and programming errors disappear. Suppress only the specific exception you expect.',
        });
      }
      return;
    }
    // One call into the tree and a regex: most handlers do something, and then none of these words is there.
    if (!INERT_WORD.test(node.text)) return;
    const kind = isBroad(node, ctx.names);
    if (!kind) return;
    const body = inertBody(node);
    if (!body) return;
    const critical = criticalCall(node.parent?.type === 'try_statement' ? node.parent.childForFieldName('body') : null, ctx.names);
    const keyword = node.children.find((c) => c?.type === 'except') ?? node;
    const logger = moduleLogger(ctx);
    const edits: TextEdit[] = [];
    if (kind === 'bare') edits.push({ range: { start: { line: keyword.endPosition.row, character: keyword.endPosition.column }, end: { line: keyword.endPosition.row, character: keyword.endPosition.column } }, newText: ' Exception' });
    if (logger) {
      const call = `${logger}.exception("Ignoring unexpected error")`;
      for (const s of body) {
        if (s.type === 'continue_statement') {
          edits.push(replaceNode(s, startsLine(ctx.text, s) ? `${call}\n${indentOf(ctx.text, s)}continue` : `${call}; continue`));
        } else {
          edits.push(replaceNode(s, call));
          break;
        }
      }
    }
    const fix: Fix | undefined = edits.length === 0 ? undefined : logger
      ? { title: 'Log the ignored exception', safe: false, edits }
      : { title: 'Narrow except: to except Exception:', safe: true, edits };
    const what = kind === 'bare' ? '`except:`' : 'A broad `except`';
    ctx.report({
      node: keyword,
      level: critical ? 'warning' : 'info',
      confidence: critical ? 'medium' : 'low',
      message: critical
        ? `${what} swallows every error from ${critical}: a failure leaves the system half changed (rules, namespaces, processes, files) with nothing in the logs. Catch the specific exception you expect, and log or re-raise the rest.`
        : `${what} swallows every error silently${kind === 'bare' ? ', including KeyboardInterrupt and SystemExit' : ''}: failures and programming errors disappear. Catch the specific exception you expect, or at least log it.`,
      fix,
    });
  },
};

export default rule;
