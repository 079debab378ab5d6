'use strict';
// Top frames of a V8 CPU profile (.cpuprofile JSON, as node:inspector's Profiler.stop answers):
// self time by function and by package, as shares of the samples the process was not idle.

/** Where a frame's code lives, shortened: a package (`pino`, `@nestjs/core`), `node:…`, or a path under the repository. */
function origin(url) {
  if (!url) return '';
  if (url.startsWith('node:')) return url;
  const plain = url.replace(/^file:\/\//, '');
  const modules = plain.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = plain.slice(modules + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = plain.indexOf('/dist/');
  return dist >= 0 ? plain.slice(dist + 1) : plain;
}

/** The package (or `node:` module, or `(gc)`…) a frame counts towards. */
function bucket(frame) {
  const o = origin(frame.url);
  if (o === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (o.startsWith('dist/')) return o.split('/').slice(0, 3).join('/');
  return o;
}

/**
 * @param {{ nodes: { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, hitCount?: number }[], samples?: number[] }} profile
 * @returns {{ samples: number, frames: { frame: string, share: number }[], packages: { name: string, share: number }[] }}
 */
function topFrames(profile, count = 10) {
  const hits = new Map();
  if (Array.isArray(profile.samples) && profile.samples.length > 0) {
    for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  } else {
    for (const node of profile.nodes) hits.set(node.id, node.hitCount ?? 0);
  }
  const byFrame = new Map();
  const byPackage = new Map();
  let busy = 0;
  for (const node of profile.nodes) {
    const n = hits.get(node.id) ?? 0;
    const frame = node.callFrame;
    if (n === 0 || frame.functionName === '(idle)') continue;
    busy += n;
    const where = origin(frame.url);
    const name = `${frame.functionName || '(anonymous)'}${where ? ` ${where}:${frame.lineNumber + 1}` : ''}`;
    byFrame.set(name, (byFrame.get(name) ?? 0) + n);
    const pkg = bucket(frame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + n);
  }
  const top = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, n]) => ({ name, share: busy > 0 ? +(n / busy).toFixed(3) : 0 }));
  return { samples: busy, frames: top(byFrame).map(({ name, share }) => ({ frame: name, share })), packages: top(byPackage) };
}

module.exports = { topFrames, origin };
