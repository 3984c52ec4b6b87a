// `npm run build` runs this after tsc: esbuild bundles what spoolctl loads when it runs, and
// the schemas are compiled to code. Node loads one file several times faster than the hundreds
// of modules it is made of.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { build } from 'esbuild';

const forNode = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // The SQLite binding is native: it stays a package that Node resolves at run time.
  external: ['better-sqlite3'],
  logLevel: 'warning',
};

// The manifest and plugin schemas, compiled by ajv into standalone code with the ajv helpers it
// calls. Compiling them at start was a third of what `submit` cost, and every sentinel and
// worker did it too; loading this file costs a millisecond or two.
const schema = (name) => JSON.parse(readFileSync(new URL(`schemas/${name}`, import.meta.url), 'utf8'));
const manifest = schema('manifest.schema.json');
const plugin = schema('plugin.schema.json');
const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true, code: { source: true } });
ajv.addSchema(manifest).addSchema(plugin);
await build({
  ...forNode,
  stdin: {
    contents: standaloneCode(ajv, { manifest: manifest.$id, plugin: plugin.$id }),
    resolveDir: fileURLToPath(new URL('.', import.meta.url)),
  },
  format: 'cjs',
  external: [],
  outfile: 'dist/schemas/validators.cjs',
});

// In a script compiled from a code cache, import() has no loader behind it (Node 20): the
// bundle's dynamic imports of Node's own modules become require() calls.
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => (a.kind === 'dynamic-import' ? { path: a.path, namespace: 'builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (a) => ({ contents: `module.exports = require(${JSON.stringify(a.path)});` }));
  },
};

// The command line, as one CommonJS file (bin/spoolctl.js loads it). What a command imports
// when it runs starts then, not at load, and Node's own modules load with it (`require` costs
// little). As an ES module, each `import` of one of Node's modules builds a module of all its
// exports, and each chunk of a split bundle is a file to read and link: both cost more than
// compiling the one file. Without its blanks it is a third smaller, which every sentinel and
// worker holds in memory; names stay, so stack traces still name functions, and the source map
// beside it (`node --enable-source-maps`) gives their places in src/.
const { outputFiles } = await build({
  ...forNode,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli/spoolctl.cjs',
  format: 'cjs',
  // The sources are ES modules; a few find files from their own URL.
  define: { 'import.meta.url': 'spoolctlModuleUrl' },
  banner: { js: "const spoolctlModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  plugins: [builtinsByRequire],
  write: false,
});
const cli = outputFiles.find((f) => f.path.endsWith('.cjs'));
const map = outputFiles.find((f) => f.path.endsWith('.map'));
// The last line names this build, for the code cache below: V8 checks a cache against the
// length of the source only, and a bundle rebuilt to the same length would run stale code.
const buildId = createHash('sha256').update(cli.text).digest('hex').slice(0, 16);
mkdirSync('dist/cli', { recursive: true });
writeFileSync(cli.path, `${cli.text}// spoolctl build ${buildId}\n`);
writeFileSync(map.path, map.text);

// V8's code cache of the bundle, for this Node: compiling the bundle, about half of what the
// command line adds to Node's own start, is done once here instead of by every command. The launcher
// makes it while a `submit` runs on a scratch spool, so that it holds the start every command
// shares, the configuration and the spool's files that most read, and the submission; it is
// used only with the build it names.
for (const old of readdirSync('dist/cli').filter((f) => f.endsWith('.cache'))) rmSync(`dist/cli/${old}`);
const scratch = mkdtempSync(join(tmpdir(), 'spoolctl-build-'));
try {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SPOOLCTL_')));
  const spoolctl = (args, more = {}) =>
    execFileSync(process.execPath, ['bin/spoolctl.js', ...args], { env: { ...env, ...more }, stdio: 'ignore' });
  spoolctl(['init', scratch]);
  writeFileSync(join(scratch, 'plugins', 'noop.json'), JSON.stringify({ name: 'noop', command: ['true'] }));
  spoolctl(['--spool', scratch, 'submit', '--plugin', 'noop', '--input', 'x'], { SPOOLCTL_WRITE_CODE_CACHE: '1' });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// The TUI: Ink as hundreds of modules takes most of a second to load; bundled, a tenth of it,
// which is what keeps `spoolctl tui` under a second to its first frame.
await build({
  ...forNode,
  entryPoints: ['tui/main.tsx'],
  outfile: 'dist/tui/bundle.js',
  format: 'esm',
  jsx: 'automatic',
  alias: { 'react-devtools-core': './tui/no-devtools.ts', 'is-in-ci': './tui/not-in-ci.ts' },
  define: { 'process.env.NODE_ENV': '"production"' },
  // Bundled CommonJS modules call require() for Node's own modules.
  banner: {
    js: "import { createRequire as spoolctlCreateRequire } from 'node:module'; const require = spoolctlCreateRequire(import.meta.url);",
  },
});
// The command line imports the TUI through this file, which Node loads itself: in the command
// line's code-cached script, import() has no loader behind it (Node 20).
writeFileSync('dist/tui/load.cjs', "module.exports = () => import('./bundle.js');\n");
