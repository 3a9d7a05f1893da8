// Small readings of Python syntax that the runner and rules share.
import type { Node } from 'web-tree-sitter';

export interface Param {
  name: string;
  node: Node;
}

function paramOf(p: Node): Param | null {
  switch (p.type) {
    case 'identifier':
      return { name: p.text, node: p };
    case 'typed_parameter': case 'list_splat_pattern': case 'dictionary_splat_pattern': {
      const id = p.namedChildren.find((c) => c?.type === 'identifier');
      return id ? { name: id.text, node: id } : null;
    }
    case 'default_parameter': case 'typed_default_parameter': {
      const id = p.childForFieldName('name');
      return id ? { name: id.text, node: id } : null;
    }
    default:
      return null;
  }
}

/** A function's parameters in order; null where a slot binds no name (`*`, `/`). */
export function parameters(fn: Node): (Param | null)[] {
  return (fn.childForFieldName('parameters')?.namedChildren ?? []).map((p) => (p ? paramOf(p) : null));
}

/**
 * The operands of a `a + b + c` chain in source order. Iterative: a long chain nests as deep as
 * it is long, and recursion would overflow on generated code.
 */
export function plusOperands(node: Node): Node[] {
  const operands: Node[] = [];
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'binary_operator' && n.childForFieldName('operator')?.type === '+') {
      stack.push(n.childForFieldName('right')!, n.childForFieldName('left')!);
    } else operands.push(n);
  }
  return operands;
}
