/**
 * Offline shell: the built app (hashed JS/CSS, static files and the SPA page) is cached when the
 * service worker installs, so Miaou opens and unlocks without a network. Only GET requests for
 * the app's own files are answered here; everything else — the relay's Gun socket, IPFS blocks,
 * health checks — goes to the network untouched, never from a cache.
 *
 * SvelteKit 3 form: `$service-worker` is gone; the file lists come from `$app/manifest` and the
 * build version from `$app/env` (this folder has its own tsconfig for the WebWorker types).
 */
import { version } from '$app/env';
import { assets, immutable } from '$app/manifest';
import { self } from '$app/service-worker';

/** Cache name prefix; one cache per build version. */
const CACHE_PREFIX = 'miaou-shell-';
const CACHE = `${CACHE_PREFIX}${version}`;

/** The service worker sits at the base path, so relative URLs resolve under it. */
const url = (path: string) => new URL(path, self.location.href).href;

/** The SPA page itself: the relay (and adapter-static's fallback) serve it for every app path. */
const SHELL = url('./');

const PRECACHE = [SHELL, ...immutable.map((f) => url(f.path)), ...assets.map((f) => url(f.path))];
const PRECACHED = new Set(PRECACHE);

self.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			const cache = await caches.open(CACHE);
			await cache.addAll(PRECACHE);
		})()
	);
});

self.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys())
				if (key.startsWith(CACHE_PREFIX) && key !== CACHE) await caches.delete(key);
			// Take over the tabs opened before this worker was installed, so the first visit already
			// works offline after its first reload.
			await self.clients.claim();
		})()
	);
});

async function shellFirstNetwork(request: Request): Promise<Response> {
	try {
		const response = await fetch(request);
		if (response.ok) return response;
		// A server error on a page load: the cached shell is better than an error page.
		return (await caches.match(SHELL)) ?? response;
	} catch {
		const cached = await caches.match(SHELL);
		if (cached) return cached;
		throw new TypeError('offline and no cached shell');
	}
}

self.addEventListener('fetch', (event) => {
	const { request } = event;
	if (request.method !== 'GET') return;
	const target = new URL(request.url);
	if (target.origin !== self.location.origin) return;

	// Page loads: network first (a new build shows at once), the cached shell when offline.
	if (request.mode === 'navigate') {
		event.respondWith(shellFirstNetwork(request));
		return;
	}
	// Hashed build files and static files never change under one version: cache first.
	target.hash = '';
	if (PRECACHED.has(target.href)) {
		event.respondWith((async () => (await caches.match(target.href, { cacheName: CACHE })) ?? fetch(request))());
	}
	// Anything else (Gun, IPFS gateway, health): not ours, let the browser handle it.
});
