import { globToRegExp } from './glob';

/** Patterns kept compiled at most; past it the memo starts over (patterns come from API callers). */
const MAX_COMPILED = 256;

/** Redis globs compiled once each (see `globToRegExp`), so matching every key against one does not compile it again per call. */
export class CompiledGlobs {
  private readonly compiled = new Map<string, RegExp>();

  /** The RegExp with the meaning SCAN MATCH gives `pattern`. */
  get(pattern: string): RegExp {
    let re = this.compiled.get(pattern);
    if (re === undefined) {
      if (this.compiled.size > MAX_COMPILED) this.compiled.clear();
      re = globToRegExp(pattern);
      this.compiled.set(pattern, re);
    }
    return re;
  }
}
