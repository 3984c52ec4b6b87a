#!/usr/bin/env node
// Launcher: the bundled CLI lives in dist/cli/ (built by `npm ci` through the prepare script).
// An offline package carries build-info.json: its SQLite binding loads only under the Node ABI,
// platform and architecture it was compiled for, so any other Node is refused here, by name,
// before a command half-runs and fails inside the ledger.
// This file and the bundle are CommonJS (bin/package.json says so): an ES module entry would
// start Node's ES module loader, which costs every command and every worker a few
// milliseconds and about 2 MB of memory.
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const info = join(__dirname, '..', 'build-info.json');
if (existsSync(info)) {
  const built = JSON.parse(readFileSync(info, 'utf8'));
  const here = { abi: process.versions.modules, platform: process.platform, arch: process.arch };
  if (built.abi !== here.abi || built.platform !== here.platform || built.arch !== here.arch) {
    const major = String(built.node).replace(/^v/, '').split('.')[0];
    process.stderr.write(
      `spoolctl ${built.spoolctl} was built for Node.js ${built.node} (ABI ${built.abi}, ${built.platform}-${built.arch}), ` +
        `but this is Node.js ${process.version} (ABI ${here.abi}, ${here.platform}-${here.arch}): its SQLite binding cannot load here. ` +
        `Run it with Node.js ${major}.x on ${built.platform}-${built.arch}, or build a package for this Node with ` +
        `\`npm run pack:offline\` on a connected host that has it (it will be named spoolctl-${built.spoolctl}-node${here.abi}-${here.platform}-${here.arch}.tgz).\n`,
    );
    process.exit(1);
  }
}

const main = join(__dirname, '..', 'dist', 'cli', 'spoolctl.cjs');
if (!existsSync(main)) {
  process.stderr.write('spoolctl is not built: run `npm run build` in the spoolctl directory.\n');
  process.exit(1);
}

// The bundle is compiled with the V8 code cache that `npm run build` made for it (bundle.mjs),
// which saves about half of what the command line adds to Node's start. The cache is named
// for the build on the bundle's last line: another build's is not read, and one this Node's V8
// rejects is ignored. With --enable-source-maps the bundle is required as usual: Node maps the
// stack traces of the modules it loads itself only.
if (process.sourceMapsEnabled) require(main);
else runWithCodeCache(main);

function runWithCodeCache(file) {
  const source = readFileSync(file, 'utf8');
  const build = /\/\/ spoolctl build (\w+)\n$/.exec(source.slice(-64))?.[1];
  const cacheFile = `${file}.${build}.cache`;
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData: build && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined,
  });
  if (process.env.SPOOLCTL_WRITE_CODE_CACHE === '1') process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
  const bundle = { exports: {} };
  script.runInThisContext()(bundle.exports, createRequire(file), bundle, file, dirname(file));
}
