import { jsonDepthExceeds, MAX_JSON_DEPTH } from './json-depth';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe(jsonDepthExceeds.name, () => {
  it('accepts bodies up to the limit and refuses one level more', () => {
    expect(jsonDepthExceeds(bytes(nested(MAX_JSON_DEPTH)), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(bytes(nested(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(bytes('{"a":{"b":[{"c":1}]}}'), 3)).toBe(true);
    expect(jsonDepthExceeds(bytes('{"a":{"b":[{"c":1}]}}'), 4)).toBe(false);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(bytes(`{"a":"${'['.repeat(100)}"}`), 2)).toBe(false);
    expect(jsonDepthExceeds(bytes(`{"a":"\\"${'{'.repeat(100)}"}`), 2)).toBe(false);
    expect(jsonDepthExceeds(bytes(`["\\\\", ${nested(5)}]`), 5)).toBe(true);
  });

  it('reads a 20,000-level body without recursion', () => {
    expect(jsonDepthExceeds(bytes(nested(20_000)), MAX_JSON_DEPTH)).toBe(true);
  });
});
