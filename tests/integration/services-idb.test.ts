/**
 * The messaging state in IndexedDB (src/lib/services/storage-idb.ts) in real Chromium: the module
 * runs unbundled in the page (Node strips its types; it imports nothing but browser/idb.ts and
 * errors.ts), writes slots and sessions, the page is closed, and a new page of the same browser
 * profile reads them back. The session keys must be hashes, not the peers' ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentity } from '../../src/lib/core/identity.ts';
import { sessionFileName } from '../../src/lib/services/session-file.ts';
import { startLibPage, type LibPage } from '../helpers/lib-page.ts';

let lib: LibPage;
let origin: string;
let profile: LibPage['profile'];

beforeAll(async () => {
	lib = await startLibPage('messaging storage');
	({ origin, profile } = lib);
}, 120_000);

afterAll(async () => {
	await lib?.close();
});

describe('indexedDbMessagingStore in Chromium', () => {
	it('keeps slots and sessions across pages, under hashed keys', async () => {
		const peer = createIdentity().id;
		const other = createIdentity().id;
		const first = await profile.context.newPage();
		await first.goto(origin);
		// Page scripts are passed as text: vitest rewrites `import()` in functions it compiles.
		await first.evaluate(`(async () => {
			const { indexedDbMessagingStore } = await import('/services/storage-idb.ts');
			const store = indexedDbMessagingStore('miaou-messaging-test');
			await store.slot('prekeys').write(new Uint8Array([1, 2, 3]));
			await store.sessions.save(${JSON.stringify(peer)}, [new Uint8Array([4, 5]), new Uint8Array([6])]);
			await store.sessions.save(${JSON.stringify(other)}, [new Uint8Array([7])]);
			await store.sessions.save(${JSON.stringify(other)}, []);
			store.close();
		})()`);
		await first.close();

		const second = await profile.context.newPage();
		await second.goto(origin);
		const read = (await second.evaluate(`(async () => {
			const { indexedDbMessagingStore } = await import('/services/storage-idb.ts');
			const store = indexedDbMessagingStore('miaou-messaging-test');
			const slot = await store.slot('prekeys').read();
			const missing = await store.slot('contacts').read();
			const sessions = await store.sessions.load(${JSON.stringify(peer)});
			const gone = await store.sessions.load(${JSON.stringify(other)});
			store.close();
			const db = await new Promise((ok, ko) => {
				const r = indexedDB.open('miaou-messaging-test');
				r.onsuccess = () => ok(r.result);
				r.onerror = () => ko(r.error);
			});
			const keys = await new Promise((ok) => {
				const r = db.transaction('sessions').objectStore('sessions').getAllKeys();
				r.onsuccess = () => ok(r.result);
			});
			db.close();
			return {
				slot: [...slot],
				missing: missing === undefined,
				sessions: sessions.map((s) => [...s]),
				gone: gone.length,
				keys
			};
		})()`)) as { slot: number[]; missing: boolean; sessions: number[][]; gone: number; keys: string[] };
		expect(read).toEqual({
			slot: [1, 2, 3],
			missing: true,
			sessions: [[4, 5], [6]],
			gone: 0,
			keys: [sessionFileName(peer).replace('.session', '')]
		});
		await second.close();
	}, 120_000);
});
