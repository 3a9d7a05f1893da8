// `from module import name` for fixes that call a helper by its bare name.
import { ensureImport, eol } from '../../server/src/engine/fixes';
import type { Ctx } from '../../server/src/engine/rule';
import type { TextEdit } from '../../server/src/engine/types';

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether the file already binds `name` to `module.name` at top level. */
export function importsName(text: string, module: string, name: string): boolean {
  return new RegExp(`^from[ \\t]+${escapeRe(module)}[ \\t]+import[ \\t(][^\\n)]*\\b${escapeRe(name)}\\b(?![ \\t]+as\\b)`, 'm').test(text);
}

/** Whether some other binding of `name` exists (a different module's import, a def, an assignment). */
export function bindsNameElsewhere(text: string, module: string, name: string): boolean {
  if (importsName(text, module, name)) return false;
  return new RegExp(`^[ \\t]*(from[ \\t]+\\S+[ \\t]+import[^\\n]*\\b${escapeRe(name)}\\b(?![ \\t]+as\\b)|def[ \\t]+${escapeRe(name)}\\b|${escapeRe(name)}[ \\t]*=)`, 'm').test(text);
}

/**
 * An edit adding `from module import name` where `ensureImport` would put an import (after the
 * docstring and the top-level imports); null when it is already imported.
 */
export function ensureFromImport(ctx: Ctx, module: string, name: string): TextEdit | null {
  if (importsName(ctx.text, module, name)) return null;
  // Asking for a module no file imports gives the insertion point.
  const at = ensureImport(ctx.module, ctx.text, '\u0000');
  return at ? { ...at, newText: `from ${module} import ${name}${eol(ctx.text)}` } : null;
}
