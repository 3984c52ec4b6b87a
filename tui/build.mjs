// Bundles the TUI into dist/tui/bundle.js: one file loads several times faster than Ink's
// hundreds of modules, which is what keeps `spoolctl tui` under a second to its first frame.
import { build } from 'esbuild';

await build({
  entryPoints: ['tui/main.tsx'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: 'dist/tui/bundle.js',
  jsx: 'automatic',
  external: ['better-sqlite3'],
  alias: { 'react-devtools-core': './tui/no-devtools.ts', 'is-in-ci': './tui/not-in-ci.ts' },
  define: { 'process.env.NODE_ENV': '"production"' },
  banner: {
    js: "import { createRequire as spoolctlCreateRequire } from 'node:module'; const require = spoolctlCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
