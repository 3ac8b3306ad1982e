/**
 * Serves the built web app (adapter-static output, `build/`) from the relay: files as they are,
 * and `index.html` for any other path, since the app is a single-page app whose router resolves
 * paths such as `/c/<cid>` in the browser (vite.config.ts: `fallback: 'index.html'`).
 *
 * Only GET and HEAD; a path is decoded once, normalized and must stay inside the directory
 * (no `..`, no NUL, no dotfiles), so nothing else on the disk can be read.
 */
import { createReadStream, statSync, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

/** Content types of the files a SvelteKit build contains. */
export const CONTENT_TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json',
	'.webmanifest': 'application/manifest+json',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.jpg': 'image/jpeg',
	'.jpeg': 'image/jpeg',
	'.gif': 'image/gif',
	'.webp': 'image/webp',
	'.avif': 'image/avif',
	'.ico': 'image/x-icon',
	'.woff': 'font/woff',
	'.woff2': 'font/woff2',
	'.txt': 'text/plain; charset=utf-8',
	'.wasm': 'application/wasm',
	'.map': 'application/json'
};

/** Longest URL path considered, in characters. */
export const MAX_STATIC_PATH_LENGTH = 1024;

/** Answers a request, or returns false when it is not for the web app (wrong method). */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

function fileStats(path: string): Stats | undefined {
	try {
		const s = statSync(path);
		return s.isFile() ? s : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Resolve a URL path to a file inside `root`, or undefined when it has none or may not be served.
 * @param root - absolute directory
 * @param urlPath - the request's path (before `?`)
 * @returns an absolute file path inside `root`
 */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
	if (urlPath.length > MAX_STATIC_PATH_LENGTH) return undefined;
	let decoded: string;
	try {
		decoded = decodeURIComponent(urlPath);
	} catch {
		return undefined;
	}
	if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
	const parts = decoded.split('/').filter((p) => p.length > 0);
	if (parts.some((p) => p.startsWith('.'))) return undefined;
	const full = normalize(join(root, ...parts));
	if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
	const direct = fileStats(full);
	if (direct) return full;
	const index = join(full, 'index.html');
	if (fileStats(index)) return index;
	const html = full + '.html';
	if (fileStats(html)) return html;
	return undefined;
}

/**
 * Create the handler for the web app directory.
 * @param root - the build directory (absolute)
 * @returns a {@link StaticHandler}
 */
export function serveStatic(root: string): StaticHandler {
	const fallback = join(root, 'index.html');
	return (req, res) => {
		if (req.method !== 'GET' && req.method !== 'HEAD') return false;
		const path = (req.url ?? '/').split('?')[0]!;
		let file = resolveStaticPath(root, path);
		let status = 200;
		if (!file) {
			// A missing asset is a 404; any other path is a route of the single-page app.
			if (extname(path) !== '' && !path.endsWith('.html')) status = 404;
			file = fallback;
		}
		const stats = fileStats(file);
		if (!stats || status === 404) {
			res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
			res.end('Not found.\n');
			return true;
		}
		const immutable = path.startsWith('/_app/immutable/');
		res.writeHead(status, {
			'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
			'content-length': String(stats.size),
			'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
			'last-modified': stats.mtime.toUTCString(),
			'x-content-type-options': 'nosniff',
			'referrer-policy': 'no-referrer'
		});
		if (req.method === 'HEAD') {
			res.end();
			return true;
		}
		const stream = createReadStream(file);
		stream.on('error', () => res.destroy());
		stream.pipe(res);
		return true;
	};
}
