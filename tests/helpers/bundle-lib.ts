/**
 * Bundles `src/lib` modules that import npm packages (Helia, multiformats…) into one IIFE script,
 * for browser tests and benchmarks on the lib page (tests/helpers/lib-page.ts serves only modules
 * that import each other, unbundled). The script defines `window.MiaouLib` with the exports asked.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { REPO_ROOT } from './relay-process.ts';

/** The global the bundle assigns its exports to. */
export const BUNDLE_GLOBAL = 'MiaouLib';

/**
 * Bundle the named exports of `src/lib` modules.
 * @param exports - module path under src/lib (e.g. `net/helia-browser.ts`) → the names it exports
 * @param opts - `minify` (default false: readable stack traces in test failures)
 * @returns the script's source, to add with `page.addScriptTag({ content })`
 * @throws {Error} when Vite produces no chunk (a build error throws Vite's own error)
 */
export async function bundleLib(
	exports: Readonly<Record<string, readonly string[]>>,
	opts: { minify?: boolean } = {}
): Promise<string> {
	const dir = mkdtempSync(join(tmpdir(), 'miaou-bundle-'));
	const entry = join(dir, 'entry.ts');
	const lib = join(REPO_ROOT, 'src', 'lib');
	writeFileSync(
		entry,
		Object.entries(exports)
			.map(([path, names]) => `export { ${names.join(', ')} } from '${join(lib, path)}';`)
			.join('\n')
	);
	try {
		const out = await build({
			configFile: false,
			logLevel: 'warn',
			root: REPO_ROOT,
			build: {
				write: false,
				minify: opts.minify ?? false,
				lib: { entry, formats: ['iife'], name: BUNDLE_GLOBAL }
			}
		});
		const outputs = Array.isArray(out) ? out : [out];
		const chunk = outputs.flatMap((o) => ('output' in o ? o.output : [])).find((c) => c.type === 'chunk');
		if (!chunk || chunk.type !== 'chunk') throw new Error('Vite produced no bundle for the browser test.');
		return chunk.code;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
