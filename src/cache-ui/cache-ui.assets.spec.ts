import { readdirSync } from 'node:fs';
import { CACHE_UI_WEB_DIR, loadCacheUiAssets } from './cache-ui.assets';

describe(loadCacheUiAssets.name, () => {
  const sut = loadCacheUiAssets();
  const text = (name: string) => sut.get(name)!.body.toString('utf8');

  it('serves every file the page refers to: index.html links and the modules\' imports', () => {
    const linked = [...text('index.html').matchAll(/(?:src|href)="\/cache\/ui\/([^"]+)"/g)].map((match) => match[1]);
    const imported = [...sut.keys()]
      .filter((name) => name.endsWith('.js') && name !== 'uplot.js')
      .flatMap((name) => [...text(name).matchAll(/^import .* from '\.\/([^']+)';$/gm)].map((match) => match[1]));

    expect(linked).toEqual(expect.arrayContaining(['app.js', 'styles.css', 'uplot.js', 'uplot.css']));
    expect(imported).toEqual(expect.arrayContaining(['api.js', 'dom.js', 'chart.js', 'keys.js', 'actions.js', 'overview.js']));
    expect([...linked, ...imported].filter((name) => !sut.has(name))).toEqual([]);
  });

  it('lists every page file of web/ (a new module cannot be forgotten)', () => {
    const files = readdirSync(CACHE_UI_WEB_DIR).filter((name) => /\.(html|css|js)$/.test(name));
    expect(files.filter((name) => !sut.has(name))).toEqual([]);
  });

  it('types scripts as JavaScript and styles as CSS', () => {
    for (const [name, asset] of sut) {
      const expected = name.endsWith('.js') ? /^text\/javascript/ : name.endsWith('.css') ? /^text\/css/ : /^text\/html/;
      expect([name, asset.contentType]).toEqual([name, expect.stringMatching(expected)]);
    }
  });
});
