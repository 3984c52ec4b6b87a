/**
 * `npm run pack:offline [-- --out DIR]`: one file that installs spoolctl on a host with Node.js
 * and nothing else. The tarball holds the bundled CLI with its code cache, the bundled TUI, the
 * compiled schemas, better-sqlite3 with its binding compiled for this Node ABI, the worker's
 * posix_spawn addon, the launcher, the README, the systemd units and the man page; a `.sha256` file
 * beside it checks it in transit.
 *
 * Its one top folder installs both ways: unpacked as it is, or with `npm install -g FILE
 * --offline`, since every dependency is bundled. build-info.json records what the binding was
 * built for; the launcher refuses any other Node ABI, platform or architecture.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/paths.js';
import { runtimeVersions, type BuildInfo } from '../src/api/versions.js';
import { ADDON_PATH } from '../src/worker/native-spawn.js';

interface PackageJson {
  name: string;
  version: string;
  description?: string;
  license?: string;
  engines?: Record<string, string>;
  bin?: Record<string, string>;
  man?: string[];
  dependencies?: Record<string, string>;
}

/**
 * Dependencies that stay outside the bundles: the SQLite binding, which is native. Every other
 * package is inside dist/cli/spoolctl.cjs or dist/tui/bundle.js, so the package leaves them out.
 */
const RUNTIME_DEPENDENCIES = ['better-sqlite3'];

/** What a package keeps of better-sqlite3: its JavaScript and the compiled binding, not the C sources. */
const SQLITE_PARTS = ['LICENSE', 'lib', join('build', 'Release', 'better_sqlite3.node')];

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/**
 * The installed directory of `name` as Node would resolve it from `fromDir`: its own
 * node_modules, then each parent's, up to the project's.
 */
function resolvePackage(root: string, fromDir: string, name: string): string {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir)
      throw new Error(`dependency ${name} (needed from ${relative(root, fromDir) || '.'}) is not installed: run \`npm ci\` first`);
  }
}

/** Every installed package directory that the runtime dependencies need, found by Node's resolution. */
function dependencyClosure(root: string): string[] {
  const found = new Set<string>();
  const visit = (fromDir: string, name: string) => {
    const dir = resolvePackage(root, fromDir, name);
    if (found.has(dir)) return;
    found.add(dir);
    const pkg = readJson<PackageJson>(join(dir, 'package.json'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dir, dep);
  };
  for (const name of RUNTIME_DEPENDENCIES) visit(root, name);
  return [...found].sort();
}

function copyDependency(root: string, dir: string, into: string): void {
  const target = join(into, relative(root, dir));
  if (basename(dir) !== 'better-sqlite3') {
    // Nested node_modules are packages of their own, copied when the closure reaches them.
    cpSync(dir, target, { recursive: true, filter: (src) => relative(dir, src).split('/')[0] !== 'node_modules' });
    return;
  }
  for (const part of SQLITE_PARTS) {
    if (!existsSync(join(dir, part))) throw new Error(`better-sqlite3 has no ${part}: run \`npm ci\` so that its binding is compiled`);
    cpSync(join(dir, part), join(target, part), { recursive: true });
  }
  // npm runs a bundled dependency's install script too: this one would fetch a prebuilt binding
  // or compile the sources left out above, and fail offline. The binding is built already.
  const pkg = readJson<PackageJson & { scripts?: Record<string, string> }>(join(dir, 'package.json'));
  delete pkg.scripts;
  writeFileSync(join(target, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
}

function packageJsonFor(source: PackageJson): PackageJson & { bundleDependencies: string[] } {
  const dependencies = Object.fromEntries(
    RUNTIME_DEPENDENCIES.map((name) => {
      const range = source.dependencies?.[name];
      if (!range) throw new Error(`package.json does not depend on ${name}`);
      return [name, range];
    }),
  );
  return {
    name: source.name,
    version: source.version,
    description: source.description,
    license: source.license,
    engines: source.engines,
    bin: source.bin,
    man: source.man,
    dependencies,
    bundleDependencies: RUNTIME_DEPENDENCIES,
  };
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string', default: join('dist', 'offline') } } });
  const root = packageRoot();
  const out = resolve(values.out!);
  const source = readJson<PackageJson>(join(root, 'package.json'));
  const versions = runtimeVersions();
  const name = `${source.name}-${source.version}-node${versions.abi}-${versions.platform}-${versions.arch}`;
  for (const built of [
    'dist/cli/spoolctl.cjs',
    'dist/schemas/validators.cjs',
    'dist/tui/bundle.js',
    'dist/tui/load.cjs',
    'man/spoolctl.1',
  ]) {
    if (!existsSync(join(root, built))) throw new Error(`${built} is missing: run \`npm run build\` first`);
  }
  const addon = relative(root, ADDON_PATH);
  if (!existsSync(ADDON_PATH)) throw new Error(`${addon} is missing: run \`npm ci\` so that it is compiled`);

  const stage = mkdtempSync(join(tmpdir(), 'spoolctl-pack-'));
  try {
    const top = join(stage, name);
    const copy = (from: string, filter?: (src: string) => boolean) =>
      cpSync(join(root, from), join(top, from), { recursive: true, filter });
    copy('bin');
    copy('dist/cli', (src) => !src.endsWith('.map'));
    copy('dist/schemas');
    copy('dist/tui/bundle.js');
    copy('dist/tui/load.cjs');
    copy(addon);
    for (const part of ['schemas', 'fixtures/plugins', 'docs/systemd', 'man', 'README.md', 'spool-layout.md']) copy(part);
    for (const dir of dependencyClosure(root)) copyDependency(root, dir, top);
    writeFileSync(join(top, 'package.json'), `${JSON.stringify(packageJsonFor(source), null, 2)}\n`);
    const info: BuildInfo = { spoolctl: source.version, ...versions, built_at: new Date().toISOString() };
    writeFileSync(join(top, 'build-info.json'), `${JSON.stringify(info, null, 2)}\n`);

    mkdirSync(out, { recursive: true });
    const tarball = join(out, `${name}.tgz`);
    execFileSync('tar', ['-czf', tarball, '--owner=0', '--group=0', '-C', stage, name]);
    const digest = createHash('sha256').update(readFileSync(tarball)).digest('hex');
    writeFileSync(`${tarball}.sha256`, `${digest}  ${basename(tarball)}\n`);
    const mb = (readFileSync(tarball).length / 1e6).toFixed(1);
    process.stdout.write(
      `${tarball} (${mb} MB; spoolctl ${source.version} for Node ${versions.node}, ABI ${versions.abi}, ${versions.platform}-${versions.arch}, SQLite ${versions.sqlite})\n${tarball}.sha256\n`,
    );
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  process.stderr.write(`pack:offline: ${(err as Error).message}\n`);
  process.exit(1);
}
