// Helpers shared by rules: describing where data came from, reporting a dataflow finding with
// its trace, and recognising logger calls. Rule logic itself stays in the rule modules.
import type { Node } from 'web-tree-sitter';
import { firstLine, rangeOf, sourcesFor, taintLevel, traceFor, type SinkKind, type Source, type Value } from '../server/src/engine/dataflow';
import type { CallSite, Ctx } from '../server/src/engine/rule';
import type { Fix } from '../server/src/engine/types';

export function describeSource(s: Source): string {
  switch (s.kind) {
    case 'param': return `parameter \`${s.name}\``;
    case 'exception': return `exception \`${s.name}\``;
    case 'request': return `request data \`${s.name}\``;
    case 'argv': return 'command-line arguments';
    case 'env': return `environment \`${s.name}\``;
    case 'input': return 'user input';
    case 'unknown': return 'a value of unknown origin';
  }
}

export function describeValue(value: Value, kind: SinkKind): string {
  const sources = sourcesFor(value, kind);
  if (sources.length === 0) return 'a value of unknown origin';
  const strong = sources.filter((s) => s.strong);
  const shown = (strong.length ? strong : sources).slice(0, 3).map(describeSource);
  return shown.join(', ');
}

/**
 * Reports `node` when `value` reaches a `kind` sink; the level follows the dataflow model.
 * Returns false when the value is constant (nothing reported).
 */
export function reportFlow(
  ctx: Ctx,
  node: Node,
  value: Value,
  kind: SinkKind,
  sink: string,
  message: (origin: string) => string,
  fix?: Fix,
): boolean {
  const level = taintLevel(value, kind);
  if (!level) return false;
  ctx.report({
    node,
    level,
    message: message(describeValue(value, kind)),
    confidence: level === 'info' ? 'low' : undefined,
    trace: traceFor(value, kind, { range: rangeOf(node), message: `reaches ${sink}` }),
    fix,
  });
  return true;
}

const LOG_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'fatal', 'log']);
const LOGGER_NAME = /^(self\.|cls\.)?_*(log|logger|logging|LOG|LOGGER|_log|_logger)$/i;

/** `LOG.error(...)`, `logger.info(...)`, `logging.warning(...)`, `logging.getLogger(x).error(...)`. */
export function isLogCall(site: CallSite): boolean {
  const callee = site.callee;
  if (callee?.type !== 'attribute') return false;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  if (!LOG_METHODS.has(method)) return false;
  const object = callee.childForFieldName('object');
  if (!object) return false;
  if (site.qname?.startsWith('logging.')) return true;
  if (object.type === 'call') return /(^|\.)getLogger$/.test(object.childForFieldName('function')?.text ?? '');
  return LOGGER_NAME.test(object.text);
}

/** The sink's name for messages: `subprocess.run` rather than `sp.run`. */
export function sinkName(site: CallSite): string {
  return `\`${site.qname ?? firstLine(site.callee?.text ?? 'call')}()\``;
}

export function isTrue(node: Node | undefined): boolean {
  return node?.type === 'true';
}
