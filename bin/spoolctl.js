#!/usr/bin/env node
// Launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
// An offline package carries build-info.json: its SQLite binding loads only under the Node ABI,
// platform and architecture it was compiled for, so any other Node is refused here, by name,
// before a command half-runs and fails inside the ledger.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const info = fileURLToPath(new URL('../build-info.json', import.meta.url));
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

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('spoolctl is not built: run `npm run build` in the spoolctl directory.\n');
  process.exit(1);
}
await import(main.href);
