import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStaticPath, serveStatic } from './static.ts';

let root: string;
let server: Server;
let base: string;

beforeAll(async () => {
	root = mkdtempSync(join(tmpdir(), 'miaou-web-'));
	mkdirSync(join(root, '_app', 'immutable'), { recursive: true });
	writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>');
	writeFileSync(join(root, 'favicon.svg'), '<svg/>');
	writeFileSync(join(root, '_app', 'immutable', 'a.js'), 'export {}');
	writeFileSync(join(root, '.secret'), 'no');
	const handler = serveStatic(root);
	server = createServer((req, res) => {
		if (!handler(req, res)) {
			res.writeHead(405);
			res.end();
		}
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise((r) => server.close(r));
	rmSync(root, { recursive: true, force: true });
});

describe('resolveStaticPath', () => {
	it('stays inside the directory', () => {
		expect(resolveStaticPath(root, '/favicon.svg')).toBe(join(root, 'favicon.svg'));
		expect(resolveStaticPath(root, '/')).toBe(join(root, 'index.html'));
		for (const bad of ['/../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/.secret', '/a%00b', '/%E0%A4%A', '/x\\..\\y'])
			expect(resolveStaticPath(root, bad), bad).toBeUndefined();
	});
});

describe('serveStatic', () => {
	it('serves files with their type and caching', async () => {
		const svg = await fetch(`${base}/favicon.svg`);
		expect(svg.status).toBe(200);
		expect(svg.headers.get('content-type')).toBe('image/svg+xml');
		expect(svg.headers.get('cache-control')).toBe('no-cache');
		expect(await svg.text()).toBe('<svg/>');
		const js = await fetch(`${base}/_app/immutable/a.js`);
		expect(js.headers.get('cache-control')).toContain('immutable');
		expect(js.headers.get('content-type')).toContain('text/javascript');
	});

	it('answers app routes with index.html and missing assets with 404', async () => {
		const route = await fetch(`${base}/c/bafy123`);
		expect(route.status).toBe(200);
		expect(await route.text()).toContain('<title>app</title>');
		expect((await fetch(`${base}/missing.js`)).status).toBe(404);
		// A dotfile is never served: the path is treated as an app route.
		expect(await (await fetch(`${base}/.secret`)).text()).toContain('<title>app</title>');
	});

	it('answers HEAD without a body and leaves other methods alone', async () => {
		const head = await fetch(`${base}/favicon.svg`, { method: 'HEAD' });
		expect(head.status).toBe(200);
		expect(head.headers.get('content-length')).toBe('6');
		expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
	});
});
