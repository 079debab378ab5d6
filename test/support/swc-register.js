'use strict';
// Lets a child process run the TypeScript sources as they are (`node -r ./test/support/swc-register.js
// src/main.ts`), compiled by SWC on require like Jest does, so a test can start the app as a real
// process and signal it without building dist/ first. '@app/cache' resolves to libs/cache/src, and
// its sub-paths '@app/cache/internals' and '@app/cache/testing' (tsconfig.json `paths`) beside it.
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../..');
const cacheLib = path.join(root, 'libs/cache/src');

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (request === '@app/cache') request = cacheLib;
  else if (request === '@app/cache/internals' || request === '@app/cache/testing') request = path.join(cacheLib, request.slice('@app/cache/'.length));
  return resolve.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
