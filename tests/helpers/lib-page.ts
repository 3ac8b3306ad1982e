/**
 * Runs `src/lib` modules unbundled in real Chromium, for tests of browser-only adapters
 * (IndexedDB storage): a server on 127.0.0.1 serves an empty page and `src/lib/**\/*.ts` with the
 * types stripped by Node (the modules import nothing but each other), and a fresh browser profile
 * opens it. Pages of one profile share their IndexedDB, so a test can write on one page and read
 * on the next.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { stripTypeScriptTypes } from 'node:module';
import { join, normalize, resolve } from 'node:path';
import { openProfile, type Profile } from '../e2e/browser.ts';
import { REPO_ROOT } from './relay-process.ts';

const LIB = resolve(REPO_ROOT, 'src', 'lib');

/** A page server plus the browser profile that visits it. */
export interface LibPage {
	/** `http://127.0.0.1:<port>`: `/` is an empty page, `/<path>.ts` a module of src/lib. */
	origin: string;
	profile: Profile;
	close(): Promise<void>;
}

/**
 * Start the server and the browser.
 * @param title - the empty page's title
 * @returns the origin, the profile and a close function
 */
export async function startLibPage(title: string): Promise<LibPage> {
	const server = createServer((req, res) => {
		void (async () => {
			const path = new URL(req.url ?? '/', 'http://x').pathname;
			if (path === '/') {
				res.writeHead(200, { 'content-type': 'text/html' });
				res.end(`<!doctype html><title>${title}</title>`);
				return;
			}
			const file = normalize(join(LIB, path));
			if (!file.startsWith(LIB + '/') || !file.endsWith('.ts')) {
				res.writeHead(404).end();
				return;
			}
			const js = stripTypeScriptTypes(await readFile(file, 'utf8'), { mode: 'strip' });
			res.writeHead(200, { 'content-type': 'text/javascript' });
			res.end(js);
		})().catch(() => res.writeHead(500).end());
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
	const profile = await openProfile();
	return {
		origin,
		profile,
		async close() {
			await profile.close();
			server.closeAllConnections();
			await new Promise((r) => server.close(r));
		}
	};
}
