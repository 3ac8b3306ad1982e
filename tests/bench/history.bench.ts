/**
 * History storage figures (issue 4 "long histories without slowdown"), side by side in one run, in
 * headless Chromium over the real IndexedDB (tests/integration/history-idb-page.ts loads the
 * modules unbundled): the old single sealed slot (history-slot.ts over storage-idb.ts) against the
 * per-message store (history-idb.ts), for one conversation of 1,000 / 10,000 / 50,000 messages.
 *
 * - append 1 message: median of {@link APPENDS} `add()` calls on a store already open;
 * - open latest page: median of {@link OPENS} new store objects (the database opened again,
 *   nothing cached in JavaScript), time until `list(contact, { limit: 50 })` returns — what
 *   opening a chat after a reload costs;
 * - import: the per-message store filled from the old slot by its migration (once per size).
 *
 * Run: `node tests/bench/history.bench.ts` (a few minutes; no network beyond 127.0.0.1).
 */
import { deriveAtRestKey } from '../../src/lib/services/at-rest.ts';
import { createIdentity } from '../../src/lib/core/identity.ts';
import { startHistoryPage } from '../integration/history-idb-page.ts';

const SIZES = [1_000, 10_000, 50_000];
/** Appends measured per size and store (the median is printed). */
const APPENDS = 7;
/** Pause after the bulk import before the appends are measured again. */
const SETTLE_MS = 5_000;
/** Opens measured per size and store (the median is printed). */
const OPENS = 3;
/** Messages on the page a chat opens with (chats.svelte.ts PAGE_SIZE). */
const PAGE = 50;

const lib = await startHistoryPage('history bench');
const key = JSON.stringify([...deriveAtRestKey(createIdentity(), 'history')]);
const contact = createIdentity().id;

interface Figures {
	size: number;
	slotAppend: number;
	slotOpen: number;
	idbAppend: number;
	idbOpen: number;
	importMs: number;
	slotBytes: number;
}

try {
	const page = await lib.profile.context.newPage();
	await page.goto(lib.origin);
	console.log(
		`History storage benchmark — Chromium, IndexedDB, one conversation, median of ${APPENDS} appends and ${OPENS} opens per cell\n`
	);
	const results: Figures[] = [];
	for (const size of SIZES) {
		// Page scripts are passed as text: vitest and tsx rewrite `import()` in functions they compile.
		const figures = (await page.evaluate(`(async () => {
			const { indexedDbHistoryStorage } = await import('/services/history-idb.ts');
			const { indexedDbMessagingStore } = await import('/services/storage-idb.ts');
			const { slotHistoryStorage, encodeHistory } = await import('/services/history-slot.ts');
			const { sealAtRest } = await import('/services/at-rest.ts');
			const { toBase64url } = await import('/core/bytes.ts');
			const { randomBytes } = await import('/core/random.ts');
			const key = new Uint8Array(${key});
			const contact = ${JSON.stringify(contact)};
			const size = ${size};
			const message = (i) => ({
				id: toBase64url(randomBytes(16)),
				contact,
				direction: i % 2 ? 'in' : 'out',
				text: 'A message of about sixty characters, as chats mostly have: ' + i,
				sentAt: 1_700_000_000_000 + i * 1000,
				status: i % 2 ? 'read' : 'delivered'
			});
			const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
			const time = async (fn) => { const t = performance.now(); await fn(); return performance.now() - t; };

			// The old slot, written whole as the app wrote it.
			const store = indexedDbMessagingStore('bench-slot-' + size);
			const slot = store.slot('history');
			const sealed = sealAtRest(key, encodeHistory({ messages: Array.from({ length: size }, (_, i) => message(i)), processed: [] }), 'history');
			await slot.write(sealed);

			// Per-message store, filled by its migration from a copy of that slot.
			const legacy = indexedDbMessagingStore('bench-legacy-' + size).slot('history');
			await legacy.write(sealed);
			const idb = indexedDbHistoryStorage({ dbName: 'bench-idb-' + size, key, legacy });
			const importMs = await time(() => idb.ready());
			idb.close();

			// Each open: a new store object, the page read; median of ${OPENS}.
			const opens = async (make) => {
				const times = [];
				for (let i = 0; i < ${OPENS}; i++) {
					const history = make();
					let n = 0;
					times.push(await time(async () => { n = (await history.list(contact, { limit: ${PAGE} })).length; }));
					history.close?.();
					if (n !== ${PAGE}) throw new Error('a page came back short');
				}
				return median(times);
			};
			const slotOpen = await opens(() => slotHistoryStorage(slot, key));
			const idbOpen = await opens(() => indexedDbHistoryStorage({ dbName: 'bench-idb-' + size, key }));
			const idbOpened = indexedDbHistoryStorage({ dbName: 'bench-idb-' + size, key });
			await idbOpened.list(contact, { limit: 1 });
			// Let IndexedDB settle after the bulk import (LevelDB compacts in the background).
			await new Promise((r) => setTimeout(r, ${SETTLE_MS}));

			// Each store's appends in a loop of their own: the slot's multi-megabyte writes go to the
			// same LevelDB as the records, and its compactions would slow appends measured in between.
			const idbAppends = [];
			for (let i = 0; i < ${APPENDS}; i++) idbAppends.push(await time(() => idbOpened.add(message(size + i))));
			const slotHistory = slotHistoryStorage(slot, key);
			await slotHistory.list(contact, { limit: 1 });
			const slotAppends = [];
			for (let i = 0; i < ${APPENDS}; i++) slotAppends.push(await time(() => slotHistory.add(message(size + i))));
			idbOpened.close();
			store.close();
			return {
				size,
				slotAppend: median(slotAppends),
				slotOpen,
				idbAppend: median(idbAppends),
				idbOpen,
				importMs,
				slotBytes: sealed.length
			};
		})()`)) as Figures;
		results.push(figures);
		console.log(
			`${size.toLocaleString('en').padStart(7)} messages (slot ${(figures.slotBytes / 1048576).toFixed(1)} MiB): ` +
				`append ${figures.slotAppend.toFixed(1)} ms (slot) vs ${figures.idbAppend.toFixed(1)} ms (per message); ` +
				`open latest page ${figures.slotOpen.toFixed(0)} ms vs ${figures.idbOpen.toFixed(1)} ms; ` +
				`import ${(figures.importMs / 1000).toFixed(1)} s`
		);
	}
	await page.close();
	console.log(
		'\n| messages | append 1: slot | append 1: per message | open latest page: slot | open latest page: per message | import |'
	);
	console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
	for (const r of results)
		console.log(
			`| ${r.size.toLocaleString('en')} | ${r.slotAppend.toFixed(1)} ms | ${r.idbAppend.toFixed(1)} ms | ` +
				`${r.slotOpen.toFixed(0)} ms | ${r.idbOpen.toFixed(1)} ms | ${(r.importMs / 1000).toFixed(1)} s |`
		);
} finally {
	await lib.close();
}
