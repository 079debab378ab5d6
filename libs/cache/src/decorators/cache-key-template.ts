import { stableHash } from '../keys/stable-hash';

/**
 * A function of the decorated method's arguments. Declared through a method signature so that
 * TypeScript checks its parameters bivariantly: `(id: string) => …` is accepted where the
 * decorator, which cannot see the method's parameter types, expects `(...args: unknown[]) => …`.
 *
 * @example
 * const key: FromArgs<string> = (id: string, page: number) => `${id}:${page}`;
 */
export type FromArgs<R> = { fromArgs(...args: unknown[]): R }['fromArgs'];

/**
 * A key id built from the method's arguments: a template where `{0}` is the first argument and
 * `{0.id}` a property of it, or a function of the arguments.
 *
 * @example
 * 'user:{0}'  'order:{0.id}:items'  (id: string, page: number) => `list:${id}:${page}`
 */
export type CacheKeyTemplate = string | FromArgs<string>;

/**
 * Tags built from the method's arguments: templates as for keys, or a function returning them.
 *
 * @example
 * ['users', 'user:{0}']  (user: { id: string }) => ['users', `user:${user.id}`]
 */
export type CacheTagsTemplate = readonly string[] | FromArgs<readonly string[]>;

/** Renders a template or calls a function against one call's arguments. */
export type ArgsRenderer<R> = (args: readonly unknown[]) => R;

const PLACEHOLDER_RE = /\{(\d+)((?:\.[^.{}]+)*)\}/g;

type TemplatePart = string | { index: number; path: readonly string[] };

/**
 * Compiles a template once (at start-up), so a call only walks its parts. Arguments that are
 * strings, numbers, booleans or Dates are written as they read; anything else (objects,
 * arrays, null, undefined) as its stable hash, so equal values name the same key.
 *
 * @example
 * compileKeyTemplate('user:{0.id}:{1}')([{ id: 'u1' }, 2]) // 'user:u1:2'
 */
export function compileKeyTemplate(template: string): ArgsRenderer<string> {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER_RE)) {
    parts.push(template.slice(last, match.index));
    parts.push({ index: Number(match[1]), path: match[2] === '' ? [] : match[2].slice(1).split('.') });
    last = match.index + match[0].length;
  }
  if (parts.length === 0) return () => template;
  parts.push(template.slice(last));
  return (args) => {
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : formatSegment(pick(args[part.index], part.path));
    return out;
  };
}

/** A key option, template or function, as one renderer. */
export function keyRenderer(key: CacheKeyTemplate): ArgsRenderer<string> {
  if (typeof key === 'string') return compileKeyTemplate(key);
  return (args) => key(...args);
}

/** A tags option as one renderer; no option renders no tags. */
export function tagsRenderer(tags: CacheTagsTemplate | undefined): ArgsRenderer<readonly string[]> {
  if (tags === undefined) return () => [];
  if (typeof tags === 'function') return (args) => tags(...args);
  const compiled = tags.map(compileKeyTemplate);
  return (args) => compiled.map((render) => render(args));
}

/** Several key options (one template, a list, or a function returning one or many) as one renderer. */
export function keysRenderer(keys: string | readonly string[] | FromArgs<string | readonly string[]> | undefined): ArgsRenderer<readonly string[]> {
  if (keys === undefined) return () => [];
  if (typeof keys === 'string') {
    const render = compileKeyTemplate(keys);
    return (args) => [render(args)];
  }
  if (typeof keys === 'function') {
    return (args) => {
      const result = keys(...args);
      return typeof result === 'string' ? [result] : result;
    };
  }
  return tagsRenderer(keys);
}

function pick(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || current === undefined) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function formatSegment(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    default:
      return value instanceof Date ? value.toISOString() : stableHash(value);
  }
}
