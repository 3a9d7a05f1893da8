// Reading permission bits: integer literals and `stat.S_*` constants combined with `|` and `+`.
import type { Node } from 'web-tree-sitter';
import type { Ctx } from '../../server/src/engine/rule';
import { assignedFrom } from './paths';

export const STAT_BITS: Record<string, number> = {
  S_ISUID: 0o4000, S_ISGID: 0o2000, S_ISVTX: 0o1000,
  S_IRWXU: 0o700, S_IRUSR: 0o400, S_IWUSR: 0o200, S_IXUSR: 0o100,
  S_IRWXG: 0o070, S_IRGRP: 0o040, S_IWGRP: 0o020, S_IXGRP: 0o010,
  S_IRWXO: 0o007, S_IROTH: 0o004, S_IWOTH: 0o002, S_IXOTH: 0o001,
  S_IREAD: 0o400, S_IWRITE: 0o200, S_IEXEC: 0o100,
};

/** The value of a constant mode expression, or null when it is not one. */
export function modeValue(node: Node | null | undefined, ctx: Ctx, depth = 0): number | null {
  if (!node || depth > 8) return null;
  switch (node.type) {
    case 'integer': {
      const t = node.text.replace(/_/g, '').toLowerCase();
      if (/^0o[0-7]+$/.test(t)) return parseInt(t.slice(2), 8);
      if (/^0x[0-9a-f]+$/.test(t)) return parseInt(t.slice(2), 16);
      if (/^0[0-7]+$/.test(t)) return parseInt(t.slice(1), 8); // Python 2 octal
      if (/^[0-9]+$/.test(t)) return parseInt(t, 10);
      return null;
    }
    case 'attribute': {
      const q = ctx.names.resolve(node);
      const bit = q?.startsWith('stat.') ? STAT_BITS[q.slice(5)] : undefined;
      return bit ?? null;
    }
    case 'identifier': {
      const q = ctx.names.resolve(node);
      if (q?.startsWith('stat.') && STAT_BITS[q.slice(5)] !== undefined) return STAT_BITS[q.slice(5)];
      const from = assignedFrom(node, ctx);
      return from ? modeValue(from, ctx, depth + 1) : null;
    }
    case 'parenthesized_expression':
      return modeValue(node.namedChild(0), ctx, depth + 1);
    case 'binary_operator': {
      const op = node.childForFieldName('operator')?.type;
      const l = modeValue(node.childForFieldName('left'), ctx, depth + 1);
      const r = modeValue(node.childForFieldName('right'), ctx, depth + 1);
      if (l === null || r === null) return null;
      if (op === '|' || op === '+') return l | r;
      if (op === '&') return l & r;
      return null;
    }
    default:
      return null;
  }
}

export function octal(mode: number): string {
  return `0o${mode.toString(8)}`;
}
