'use strict';
// Jest loads modules through its own CommonJS registry, so the ESM-only NestJS 12
// packages are compiled to CommonJS by SWC here, like our own TypeScript.
// `import.meta.url` has no CommonJS meaning; it becomes the file's URL first, through an
// import SWC turns into a require of its own: a textual `require("url")` would hit a module's
// own `const require = createRequire(import.meta.url)` (@nestjs/typeorm, @nestjs/terminus)
// before it is initialised. The import goes on the first line so line numbers stay put.
const { createTransformer } = require('@swc/jest');

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'commonjs', ignoreDynamic: false },
  sourceMaps: 'inline',
};
const inner = createTransformer(swcOptions);

module.exports = {
  ...inner,
  process(src, filename, options) {
    const source = src.includes('import.meta.url')
      ? `import { pathToFileURL as __jestPathToFileURL } from 'node:url'; ` +
        src.replaceAll('import.meta.url', '__jestPathToFileURL(__filename).href')
      : src;
    return inner.process(source, filename, options);
  },
  getCacheKey(src, filename, options) {
    return inner.getCacheKey(src, filename, options) + ':meta2';
  },
};
