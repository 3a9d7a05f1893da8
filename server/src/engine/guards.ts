// Guards: statements after which a name is known to be valid, because the code raised or
// returned otherwise. `if not re.fullmatch(P, x): raise`, `if x not in ALLOWED: return`.
import type { Node } from 'web-tree-sitter';
import { isValidatingCall } from './dataflow';
import type { Names } from './names';

/** Names a guard statement vouches for: `if not re.fullmatch(P, x): raise`, `if x not in ALLOWED: return`. */
export function guardedNames(test: Node | null, names: Names, out: string[] = []): string[] {
  if (!test) return out;
  if (test.type === 'parenthesized_expression') return guardedNames(test.namedChild(0), names, out);
  if (test.type === 'boolean_operator') {
    guardedNames(test.childForFieldName('left'), names, out);
    guardedNames(test.childForFieldName('right'), names, out);
    return out;
  }
  if (test.type === 'not_operator') {
    const arg = test.childForFieldName('argument');
    if (arg?.type === 'call') {
      const q = names.resolve(arg.childForFieldName('function'));
      const method = q?.split('.').pop() ?? '';
      const validating = ['match', 'fullmatch', 'search'].includes(method) || isValidatingCall(q) || /^is(alnum|digit|decimal|identifier|alpha|ascii)$/.test(method);
      if (!validating) return out;
      const argsNode = arg.childForFieldName('arguments');
      for (const a of argsNode?.namedChildren ?? []) if (a?.type === 'identifier') out.push(a.text);
      // `x.isalnum()` vouches for x.
      const receiver = arg.childForFieldName('function')?.childForFieldName('object');
      if (receiver?.type === 'identifier' && method.startsWith('is')) out.push(receiver.text);
    }
    return out;
  }
  if (test.type === 'comparison_operator') {
    const ops = test.children.filter((c) => c && !c.isNamed).map((c) => c!.type).join(' ');
    const left = test.namedChild(0);
    if (ops === 'not in' && left?.type === 'identifier') out.push(left.text);
  }
  return out;
}

/** Calls that never return normally. */
const NO_RETURN = /^((flask|werkzeug\.exceptions)\.)?abort$|^(sys\.)?exit$|^os\._exit$/;

export function exits(block: Node | null): boolean {
  const last = block?.namedChildren.filter((c) => c && c.type !== 'comment').pop();
  if (!last) return false;
  if (['raise_statement', 'return_statement', 'continue_statement', 'break_statement'].includes(last.type)) return true;
  // `abort(400)` (Flask, Werkzeug) and `sys.exit(1)` raise as well.
  const call = last.type === 'expression_statement' ? last.namedChild(0) : null;
  return call?.type === 'call' && NO_RETURN.test(call.childForFieldName('function')?.text ?? '');
}

/**
 * Names a guard vouches for as file system paths only (not for other sinks): `if not
 * full.startswith(base): raise`, `if not p.is_relative_to(base): abort(403)`,
 * `if os.path.commonpath([base, full]) != base: raise`, `if ".." in name: return`.
 */
export function pathGuardedNames(test: Node | null, names: Names, out: string[] = []): string[] {
  if (!test) return out;
  if (test.type === 'parenthesized_expression') return pathGuardedNames(test.namedChild(0), names, out);
  if (test.type === 'boolean_operator') {
    // `if ".." in name or name.startswith("/")`: either check exits, so both vouch.
    pathGuardedNames(test.childForFieldName('left'), names, out);
    pathGuardedNames(test.childForFieldName('right'), names, out);
    return out;
  }
  if (test.type === 'not_operator') {
    const arg = test.childForFieldName('argument');
    const fn = arg?.type === 'call' ? arg.childForFieldName('function') : null;
    const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
    const receiver = fn?.childForFieldName('object');
    if ((method === 'startswith' || method === 'is_relative_to') && receiver?.type === 'identifier') out.push(receiver.text);
    // Containment helpers: `if not is_within_directory(base, target): raise`.
    const helper = fn ? (fn.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn.text) ?? '' : '';
    if (/^_*(is_)?(within|inside|under|subpath|safe_path|path_is_safe|in_directory|is_relative|contained)/i.test(helper)) {
      for (const a of arg!.childForFieldName('arguments')?.namedChildren ?? []) if (a?.type === 'identifier') out.push(a.text);
    }
    return out;
  }
  if (test.type === 'comparison_operator') {
    const ops = test.children.filter((c) => c && !c.isNamed).map((c) => c!.type).join(' ');
    const [left, right] = [test.namedChild(0), test.namedChild(1)];
    // `".." in name`, `"/" in name`, `os.sep in name`: a name without them cannot climb.
    const climbs = left?.type === 'string' ? /\.\.|\/|\\\\/.test(left.text) : /(^|\.)(sep|altsep)$/.test(names.resolve(left) ?? '');
    if (ops === 'in' && climbs && right?.type === 'identifier') out.push(right.text);
    // `os.path.commonpath([base, full]) != base`
    if (ops === '!=' && left?.type === 'call' && /commonpath$/.test(names.resolve(left.childForFieldName('function')) ?? '')) {
      const list = left.childForFieldName('arguments')?.namedChild(0);
      for (const a of list?.namedChildren ?? []) if (a?.type === 'identifier') out.push(a.text);
    }
  }
  return out;
}

