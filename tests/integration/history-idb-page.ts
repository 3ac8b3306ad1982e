/**
 * A lib page (tests/helpers/lib-page.ts) that can also load the two packages the sealed history
 * needs — tweetnacl (XSalsa20-Poly1305, at-rest.ts) and @noble/hashes (HMAC, HKDF) — so the
 * history modules run unbundled in Chromium with the same crypto as the app: the empty page gets
 * an import map, and `/__nm/…` serves those packages from node_modules (tweetnacl, a CommonJS
 * file, wrapped as an ES module). Shared by the history tests and tests/bench/history.bench.ts.
 */
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { REPO_ROOT } from '../helpers/relay-process.ts';
import { startLibPage, type LibPage } from '../helpers/lib-page.ts';

const NOBLE = join(REPO_ROOT, 'node_modules', '@noble', 'hashes');
const IMPORT_MAP = JSON.stringify({
	imports: { tweetnacl: '/__nm/tweetnacl.js', '@noble/hashes/': '/__nm/@noble/hashes/' }
});

/**
 * Start a lib page whose modules may import tweetnacl and @noble/hashes.
 * @param title - the page title
 * @returns the lib page
 */
export async function startHistoryPage(title: string): Promise<LibPage> {
	const lib = await startLibPage(title);
	const nacl = await readFile(join(REPO_ROOT, 'node_modules', 'tweetnacl', 'nacl-fast.js'), 'utf8');
	const naclModule = `const module = { exports: {} };\n${nacl}\nexport default module.exports;\n`;
	await lib.profile.context.route(`${lib.origin}/`, (route) =>
		route.fulfill({
			contentType: 'text/html',
			body: `<!doctype html><title>${title}</title><script type="importmap">${IMPORT_MAP}</script>`
		})
	);
	await lib.profile.context.route(`${lib.origin}/__nm/**`, async (route) => {
		const path = new URL(route.request().url()).pathname;
		if (path === '/__nm/tweetnacl.js') return route.fulfill({ contentType: 'text/javascript', body: naclModule });
		const file = normalize(join(NOBLE, path.slice('/__nm/@noble/hashes/'.length)));
		if (!path.startsWith('/__nm/@noble/hashes/') || !file.startsWith(NOBLE + '/') || !file.endsWith('.js'))
			return route.fulfill({ status: 404 });
		return route.fulfill({ contentType: 'text/javascript', body: await readFile(file, 'utf8') });
	});
	return lib;
}
