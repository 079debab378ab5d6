import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One file the page is made of, read once at start (the whole page is ~70 kB). */
export interface CacheUiAsset {
  contentType: string;
  body: Buffer;
}

/** Where the page's own files are: beside this module, in src/ and (copied by `nest build`) in dist/src/. */
export const CACHE_UI_WEB_DIR = join(__dirname, 'web');

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/**
 * URL name → file. An allowlist, not a static folder: nothing else under web/ or node_modules is
 * reachable, and no request path ever becomes a file path. uPlot is served from its npm package,
 * so the page needs no CDN.
 */
const ASSET_FILES: Record<string, { file: string; contentType: string }> = {
  'index.html': { file: join(CACHE_UI_WEB_DIR, 'index.html'), contentType: 'text/html; charset=utf-8' },
  'styles.css': { file: join(CACHE_UI_WEB_DIR, 'styles.css'), contentType: CSS },
  'app.js': { file: join(CACHE_UI_WEB_DIR, 'app.js'), contentType: JS },
  'api.js': { file: join(CACHE_UI_WEB_DIR, 'api.js'), contentType: JS },
  'dom.js': { file: join(CACHE_UI_WEB_DIR, 'dom.js'), contentType: JS },
  'overview.js': { file: join(CACHE_UI_WEB_DIR, 'overview.js'), contentType: JS },
  'chart.js': { file: join(CACHE_UI_WEB_DIR, 'chart.js'), contentType: JS },
  'keys.js': { file: join(CACHE_UI_WEB_DIR, 'keys.js'), contentType: JS },
  'actions.js': { file: join(CACHE_UI_WEB_DIR, 'actions.js'), contentType: JS },
  'uplot.js': { file: require.resolve('uplot/dist/uPlot.iife.min.js'), contentType: JS },
  'uplot.css': { file: require.resolve('uplot/dist/uPlot.min.css'), contentType: CSS },
};

/** Reads every asset; a missing file fails the start rather than the first page load. */
export function loadCacheUiAssets(): ReadonlyMap<string, CacheUiAsset> {
  return new Map(Object.entries(ASSET_FILES).map(([name, { file, contentType }]) => [name, { contentType, body: readFileSync(file) }]));
}
