#!/usr/bin/env node
// Initial JavaScript of the web app's first page, gzip (issue 4, "Figures": goal ≤ 250 kB).
//
// What counts is what a browser really loads, not a guess from the bundle graph: SvelteKit loads
// the route's nodes with dynamic imports at start-up, and the heavy modules (Gun, the UnixFS
// importer, the CAR writer) must NOT be loaded until used. So this serves `build/` exactly as the
// relay does (relay/static.ts, on 127.0.0.1, ephemeral port), opens each page in headless
// Chromium (playwright-core), waits for the network to go idle, and sums the gzip size of every
// script response. Run `npx vite build` first.
//
// Usage: node scripts/measure-initial-js.mjs [--budget <kB>] [--json] [path …]   (default path: /)
// Exit code 1 when a page is over the budget.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { serveStatic } from '../relay/static.ts';
import { chromiumPath } from '../tests/e2e/browser.ts';

/** Goal for the first page's JavaScript, gzip, in kB (1 kB = 1024 bytes). */
const DEFAULT_BUDGET_KB = 250;
/** Longest wait for a page to settle. */
const PAGE_TIMEOUT_MS = 30_000;

const argv = process.argv.slice(2);
let budgetKb = DEFAULT_BUDGET_KB;
let asJson = false;
const paths = [];
for (let i = 0; i < argv.length; i++) {
	const arg = argv[i];
	if (arg === '--budget') budgetKb = Number(argv[++i]);
	else if (arg === '--json') asJson = true;
	else if (arg?.startsWith('/')) paths.push(arg);
	else {
		console.error(
			`Unknown argument ${JSON.stringify(arg)}. Usage: measure-initial-js.mjs [--budget <kB>] [--json] [path …]`
		);
		process.exit(2);
	}
}
if (!Number.isFinite(budgetKb) || budgetKb <= 0) {
	console.error('--budget takes a positive number of kB.');
	process.exit(2);
}
if (paths.length === 0) paths.push('/');

const root = resolve(import.meta.dirname, '..', 'build');
if (!existsSync(join(root, 'index.html'))) {
	console.error(`No build found in ${root}: run \`npx vite build\` first.`);
	process.exit(2);
}

const web = serveStatic(root);
const server = createServer((req, res) => {
	if (!web(req, res)) {
		res.writeHead(405).end();
	}
});
await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
const address = server.address();
const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

const browser = await chromium.launch({
	executablePath: chromiumPath(),
	headless: true,
	args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking']
});
const results = [];
let over = false;
try {
	for (const path of paths) {
		// A fresh context per page: nothing cached, no service worker from a previous page.
		const context = await browser.newContext({ serviceWorkers: 'block' });
		const page = await context.newPage();
		/** @type {Promise<{ url: string, raw: number, gzip: number }>[]} */
		const pending = [];
		page.on('response', (response) => {
			if (response.request().resourceType() !== 'script') return;
			pending.push(
				response.body().then((body) => ({
					url: response.url().replace(origin, ''),
					raw: body.length,
					gzip: gzipSync(body).length
				}))
			);
		});
		await page.goto(`${origin}${path}`, { waitUntil: 'networkidle', timeout: PAGE_TIMEOUT_MS });
		const files = (await Promise.all(pending)).sort((a, b) => b.gzip - a.gzip);
		const gzip = files.reduce((n, f) => n + f.gzip, 0);
		const raw = files.reduce((n, f) => n + f.raw, 0);
		results.push({ path, files: files.length, raw, gzip, budget: budgetKb * 1024, list: files });
		if (gzip > budgetKb * 1024) over = true;
		await context.close();
	}
} finally {
	await browser.close();
	server.close();
}

if (asJson) console.log(JSON.stringify(results, null, 2));
else {
	for (const r of results) {
		console.log(
			`${r.path}: ${(r.gzip / 1024).toFixed(1)} kB gzip (${(r.raw / 1024).toFixed(1)} kB raw) in ${r.files} scripts; budget ${budgetKb} kB`
		);
		for (const f of r.list) console.log(`  ${(f.gzip / 1024).toFixed(1).padStart(7)} kB  ${f.url}`);
	}
}
process.exit(over ? 1 : 0);
