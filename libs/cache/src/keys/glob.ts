/**
 * Compiles a Redis glob (`*`, `?`, `[abc]`, `[^a]`, `\x`) into a RegExp with the meaning
 * SCAN MATCH gives it, so the in-process store selects exactly the keys Redis would.
 */
export function globToRegExp(glob: string): RegExp {
  let out = '^';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') out += '[\\s\\S]*';
    else if (ch === '?') out += '[\\s\\S]';
    else if (ch === '\\' && i + 1 < glob.length) out += escapeRe(glob[++i]);
    else if (ch === '[') {
      const set = charSet(glob, i + 1);
      out += set.source;
      i = set.end;
    } else out += escapeRe(ch);
  }
  return new RegExp(`${out}$`);
}

/**
 * Reads a `[...]` set whose body starts at `start` as Redis's stringmatchlen does, which is
 * not what a RegExp class means: `\x` is a literal x (also `\]`), `]` right after `[` closes
 * an empty set, `z-a` is the range a–z, and an unclosed set runs to the end of the pattern.
 * Patterns come from API callers, so a RegExp syntax error here would be a failed request.
 */
function charSet(glob: string, start: number): { source: string; end: number } {
  let i = start;
  const negate = glob[i] === '^';
  if (negate) i++;
  let body = '';
  for (; i < glob.length && glob[i] !== ']'; i++) {
    if (glob[i] === '\\' && i + 1 < glob.length) {
      body += escapeClassChar(glob[++i]);
    } else if (i + 2 < glob.length && glob[i + 1] === '-') {
      const [lo, hi] = glob[i] <= glob[i + 2] ? [glob[i], glob[i + 2]] : [glob[i + 2], glob[i]];
      body += `${escapeClassChar(lo)}-${escapeClassChar(hi)}`;
      i += 2;
    } else body += escapeClassChar(glob[i]);
  }
  const end = Math.min(i, glob.length - 1);
  if (body === '') return { source: negate ? '[\\s\\S]' : '(?!)', end };
  return { source: `[${negate ? '^' : ''}${body}]`, end };
}

function escapeClassChar(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function escapeRe(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
