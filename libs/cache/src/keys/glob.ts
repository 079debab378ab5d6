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

/** One position of a glob: `*`, or a test of exactly one character (a literal, `?` or a `[...]` set). */
type GlobToken = { star: true } | { star: false; matches: (ch: string) => boolean };

/** The glob as tokens, each read exactly as `globToRegExp` (and so Redis) reads it. */
function globTokens(glob: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') {
      if (tokens.at(-1)?.star !== true) tokens.push({ star: true });
    } else if (ch === '?') tokens.push({ star: false, matches: () => true });
    else if (ch === '\\' && i + 1 < glob.length) {
      const literal = glob[++i];
      tokens.push({ star: false, matches: (c) => c === literal });
    } else if (ch === '[') {
      const set = charSet(glob, i + 1);
      const re = new RegExp(`^${set.source}$`);
      tokens.push({ star: false, matches: (c) => re.test(c) });
      i = set.end;
    } else tokens.push({ star: false, matches: (c) => c === ch });
  }
  return tokens;
}

/**
 * A set of strings as a deterministic automaton: `step` gives the next state or undefined
 * (the string can no longer be in the set); `boundaries` are the characters where `step`
 * changes behaviour, each taken as the start of a range of equivalent characters.
 */
export interface StringUniverse<S extends string = string> {
  start: S;
  accepting(state: S): boolean;
  step(state: S, ch: string): S | undefined;
  boundaries: string;
}

/** Pairs of (universe state, glob positions) explored before giving up; past it the answer is "yes". */
const COVER_BUDGET = 200_000;

/**
 * Whether `glob` matches every string of `universe`: decided on what the glob matches, not on
 * how it is spelled (`*`, `?*`, `**`, `*:*`, `[^\n]*` ... all match every `namespace:id`).
 * Runs the glob's automaton against the universe's over one representative character per
 * range of characters that no part of either tells apart, looking for a string of the universe
 * the glob refuses. A glob too intricate to settle within a fixed budget counts as matching
 * everything: the caller then asks for a narrower selector rather than risk a full sweep.
 */
export function globMatchesAll<S extends string>(glob: string, universe: StringUniverse<S>): boolean {
  const tokens = globTokens(glob);
  const end = tokens.length;
  const closure = (positions: Iterable<number>): number[] => {
    const out = new Set<number>();
    for (let p of positions) {
      out.add(p);
      while (p < end && tokens[p].star) out.add(++p);
    }
    return [...out].sort((a, b) => a - b);
  };
  const representatives = characterRanges(glob + universe.boundaries);
  const seen = new Set<string>();
  const queue: [S, number[]][] = [[universe.start, closure([0])]];
  let work = 0;
  while (queue.length > 0) {
    const [state, positions] = queue.shift()!;
    const id = `${state}|${positions.join(',')}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (universe.accepting(state) && !positions.includes(end)) return false;
    for (const ch of representatives) {
      if ((work += positions.length + 1) > COVER_BUDGET) return true;
      const next = universe.step(state, ch);
      if (next === undefined) continue;
      const moved: number[] = [];
      for (const p of positions) {
        if (p === end) continue;
        const token = tokens[p];
        if (token.star) moved.push(p);
        else if (token.matches(ch)) moved.push(p + 1);
      }
      queue.push([next, closure(moved)]);
    }
  }
  return true;
}

/** One character per range of UTF-16 code units between the cut points `c` and `c + 1` of each character given. */
function characterRanges(chars: string): string[] {
  const cuts = new Set<number>([0]);
  for (let i = 0; i < chars.length; i++) {
    const code = chars.charCodeAt(i);
    cuts.add(code);
    if (code < 0xffff) cuts.add(code + 1);
  }
  return [...cuts].sort((a, b) => a - b).map((code) => String.fromCharCode(code));
}
