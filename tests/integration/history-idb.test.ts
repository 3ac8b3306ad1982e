/**
 * The per-message history in IndexedDB (src/lib/services/history-idb.ts) in real Chromium: the
 * history modules run unbundled in the page with the app's crypto (history-idb-page.ts). The same
 * contract as the memory adapter (history-contract.ts); records that survive a reload and show no
 * contact id, message id or text; altered or swapped records refused with ERR_DECRYPT while the
 * rest still reads; the old single-slot history imported once, a crash before or after the commit
 * losing nothing; and 20,000 messages read by pages in bounded time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64url } from '../../src/lib/core/bytes.ts';
import { createIdentity } from '../../src/lib/core/identity.ts';
import { randomBytes } from '../../src/lib/core/random.ts';
import { deriveAtRestKey } from '../../src/lib/services/at-rest.ts';
import type { ChatMessage } from '../../src/lib/services/history.ts';
import { MIGRATION_CHUNK } from '../../src/lib/services/history-idb.ts';
import type { LibPage } from '../helpers/lib-page.ts';
import { startHistoryPage } from './history-idb-page.ts';

let lib: LibPage;
let origin: string;
let profile: LibPage['profile'];

beforeAll(async () => {
	lib = await startHistoryPage('history');
	({ origin, profile } = lib);
}, 120_000);

afterAll(async () => {
	await lib?.close();
});

const me = createIdentity();
const key = JSON.stringify([...deriveAtRestKey(me, 'history')]);
const otherKey = JSON.stringify([...deriveAtRestKey(createIdentity(), 'history')]);
const [bob, carol, dave] = [createIdentity().id, createIdentity().id, createIdentity().id];
const message = (contact: string, sentAt: number, text = `hello ${sentAt}`): ChatMessage =>
	({ id: toBase64url(randomBytes(16)), contact, direction: 'in', text, sentAt, status: 'received' }) as ChatMessage;

/** Page-side prelude: the modules, the key, a store factory and a raw dump of a database. */
const PRELUDE = `
	const { indexedDbHistoryStorage } = await import('/services/history-idb.ts');
	const { indexedDbMessagingStore } = await import('/services/storage-idb.ts');
	const { slotHistoryStorage } = await import('/services/history-slot.ts');
	const key = new Uint8Array(${key});
	const rawOpen = (name) => new Promise((ok, ko) => {
		const r = indexedDB.open(name);
		r.onsuccess = () => ok(r.result);
		r.onerror = () => ko(r.error);
	});
	const rawAll = async (name, store) => {
		const db = await rawOpen(name);
		const out = await new Promise((ok, ko) => {
			const tx = db.transaction(store);
			const r = tx.objectStore(store).getAll();
			r.onsuccess = () => ok(r.result);
			r.onerror = () => ko(tx.error);
		});
		db.close();
		return out;
	};
	const fail = async (p) => p.then(() => 'no error', (e) => e.code ?? String(e));
	const fromB64 = (t) => Uint8Array.from(atob(t), (c) => c.charCodeAt(0));
`;

/** The old slot's sealed content for these messages, base64 (history-slot.ts format). */
async function oldSlot(messages: ChatMessage[], syncedDay?: number): Promise<string> {
	const { encodeHistory } = await import('../../src/lib/services/history-slot.ts');
	const { sealAtRest } = await import('../../src/lib/services/at-rest.ts');
	const snapshot = { messages, processed: [], ...(syncedDay !== undefined ? { syncedDay } : {}) };
	return Buffer.from(sealAtRest(deriveAtRestKey(me, 'history'), encodeHistory(snapshot), 'history')).toString('base64');
}

async function inPage<T>(body: string): Promise<T> {
	const page = await profile.context.newPage();
	try {
		await page.goto(origin);
		// Page scripts are passed as text: vitest rewrites `import()` in functions it compiles.
		return (await page.evaluate(`(async () => { ${PRELUDE} ${body} })()`)) as T;
	} finally {
		await page.close();
	}
}

describe('indexedDbHistoryStorage in Chromium', () => {
	it('keeps the HistoryStorage contract', async () => {
		const result = await inPage<string>(`
			const { checkHistoryContract } = await import('/services/history-contract.ts');
			const history = indexedDbHistoryStorage({ dbName: 'contract', key });
			await checkHistoryContract(history, ${JSON.stringify([bob, carol, dave])});
			history.close();
			return 'ok';
		`);
		expect(result).toBe('ok');
	}, 120_000);

	it('keeps messages across pages, and IndexedDB shows no contact, message id or text', async () => {
		const messages = [message(bob, 10, 'secret words'), message(carol, 20, 'other words')];
		await inPage(`
			const history = indexedDbHistoryStorage({ dbName: 'reload', key });
			for (const m of ${JSON.stringify(messages)}) await history.add(m);
			await history.markProcessed('mailbox-abc/entry-1', 5);
			await history.setSyncedDay(5);
			history.close();
			// A closed store opens again on the next call.
			if ((await history.list(${JSON.stringify(bob)})).length !== 1) throw new Error('not reopened');
			history.close();
		`);
		const read = await inPage<{ list: unknown; processed: boolean; synced: number; other: string; raw: string }>(`
			const history = indexedDbHistoryStorage({ dbName: 'reload', key });
			const list = [...await history.list(${JSON.stringify(bob)}), ...await history.list(${JSON.stringify(carol)})];
			const processed = await history.isProcessed('mailbox-abc/entry-1');
			const synced = await history.syncedDay();
			history.close();
			const stranger = indexedDbHistoryStorage({ dbName: 'reload', key: new Uint8Array(${otherKey}) });
			const other = await fail(stranger.conversations());
			stranger.close();
			const dump = (v) => JSON.stringify(v, (k, x) => (x instanceof Uint8Array ? new TextDecoder().decode(x) : x));
			const raw = dump(await rawAll('reload', 'messages')) + dump(await rawAll('reload', 'processed'));
			return { list, processed, synced, other, raw };
		`);
		expect(read.list).toEqual(messages);
		expect(read.processed).toBe(true);
		expect(read.synced).toBe(5);
		expect(read.other).toBe('ERR_DECRYPT');
		for (const secret of [bob, carol, messages[0]!.id, 'secret words', 'other words', 'mailbox-abc', 'did:key'])
			expect(read.raw).not.toContain(secret);
	}, 120_000);

	it('refuses altered or swapped records with ERR_DECRYPT, and the rest still reads', async () => {
		const bobs = [message(bob, 1), message(bob, 2), message(bob, 3)];
		const carols = [message(carol, 1), message(carol, 2)];
		const result = await inPage<Record<string, unknown>>(`
			const history = indexedDbHistoryStorage({ dbName: 'tamper', key });
			for (const m of ${JSON.stringify([...bobs, ...carols])}) await history.add(m);
			history.close();
			// Attacker with the database but not the key: swap the sealed values of Bob's first and
			// Carol's first message, and flip one byte of Bob's third.
			const db = await rawOpen('tamper');
			await new Promise((ok, ko) => {
				const tx = db.transaction('messages', 'readwrite');
				const store = tx.objectStore('messages');
				const r = store.getAll();
				r.onsuccess = () => {
					const all = r.result;
					// Bob's conversation has three records, Carol's two (the tags do not say whose).
					const tags = [...new Set(all.map((x) => x.c))];
					const group = (n) => all.filter((x) => x.c === tags.find((c) => all.filter((y) => y.c === c).length === n));
					const [b1, , b3] = group(3).sort((a, b) => a.t - b.t);
					const [c1] = group(2).sort((a, b) => a.t - b.t);
					const s = b1.s;
					store.put({ ...b1, s: c1.s });
					store.put({ ...c1, s });
					const flipped = b3.s.slice();
					flipped[40] ^= 1;
					store.put({ ...b3, s: flipped });
				};
				tx.oncomplete = ok;
				tx.onerror = () => ko(tx.error);
			});
			db.close();
			const again = indexedDbHistoryStorage({ dbName: 'tamper', key });
			const out = {
				swappedBob: await fail(again.get(${JSON.stringify(bob)}, ${JSON.stringify(bobs[0]!.id)})),
				swappedCarol: await fail(again.get(${JSON.stringify(carol)}, ${JSON.stringify(carols[0]!.id)})),
				flipped: await fail(again.get(${JSON.stringify(bob)}, ${JSON.stringify(bobs[2]!.id)})),
				page: await fail(again.list(${JSON.stringify(bob)})),
				intact: (await again.get(${JSON.stringify(bob)}, ${JSON.stringify(bobs[1]!.id)}))?.text,
				intactCarol: (await again.get(${JSON.stringify(carol)}, ${JSON.stringify(carols[1]!.id)}))?.text,
				pageBefore: (await again.list(${JSON.stringify(bob)}, { before: 3, limit: 1 })).map((m) => m.sentAt),
			};
			again.close();
			return out;
		`);
		expect(result).toEqual({
			swappedBob: 'ERR_DECRYPT',
			swappedCarol: 'ERR_DECRYPT',
			flipped: 'ERR_DECRYPT',
			page: 'ERR_DECRYPT',
			intact: bobs[1]!.text,
			intactCarol: carols[1]!.text,
			pageBefore: [2]
		});
	}, 120_000);

	it('imports the old single-slot history once, then empties the slot', async () => {
		const old = [message(bob, 1), message(carol, 2), { ...message(bob, 3), direction: 'out', status: 'pending' }];
		const result = await inPage<Record<string, unknown>>(`
			const slot = indexedDbMessagingStore('migrate-slot').slot('history');
			const before = slotHistoryStorage(slot, key);
			for (const m of ${JSON.stringify(old)}) await before.add(m);
			await before.markProcessed('box/1', 3);
			await before.setSyncedDay(3);
			const history = indexedDbHistoryStorage({ dbName: 'migrate', key, legacy: slot });
			const imported = await history.ready();
			const out = {
				imported,
				slot: (await slot.read()) === undefined,
				bob: (await history.list(${JSON.stringify(bob)})).map((m) => m.sentAt),
				unsettled: (await history.unsettled()).length,
				processed: await history.isProcessed('box/1'),
				synced: await history.syncedDay(),
				conversations: (await history.conversations()).length
			};
			history.close();
			const again = indexedDbHistoryStorage({ dbName: 'migrate', key, legacy: slot });
			out.second = await again.ready();
			out.count = (await rawAll('migrate', 'messages')).length;
			again.close();
			return out;
		`);
		expect(result).toEqual({
			imported: 3,
			slot: true,
			bob: [1, 3],
			unsettled: 1,
			processed: true,
			synced: 3,
			conversations: 2,
			second: 0,
			count: 3
		});
	}, 120_000);

	it('imports a slot that appears after the store was in use, counting unread messages once', async () => {
		const before = [message(bob, 1), message(bob, 2)];
		const old = [message(bob, 3), message(bob, 4), message(carol, 5)];
		const sealed = await oldSlot([...old, before[0]!]);
		const result = await inPage<unknown>(`
			const slot = indexedDbMessagingStore('late-slot').slot('history');
			const history = indexedDbHistoryStorage({ dbName: 'late', key, legacy: slot });
			for (const m of ${JSON.stringify(before)}) await history.add(m);
			history.close();
			await slot.write(fromB64(${JSON.stringify(sealed)}));
			const again = indexedDbHistoryStorage({ dbName: 'late', key, legacy: slot });
			const out = {
				imported: await again.ready(),
				summaries: (await again.conversations()).map((c) => [c.last.sentAt, c.unread]),
				bob: (await again.list(${JSON.stringify(bob)})).map((m) => m.sentAt)
			};
			again.close();
			return out;
		`);
		expect(result).toEqual({
			imported: 4,
			summaries: [
				[5, 1],
				[4, 4]
			],
			bob: [1, 2, 3, 4]
		});
	}, 120_000);

	it('loses nothing when the page dies after the import commits, before the slot is emptied', async () => {
		const old = Array.from({ length: 200 }, (_, i) => message(i % 2 ? bob : carol, i));
		const page = await profile.context.newPage();
		await page.goto(origin);
		// clear() never settles: the page is closed while the import is committed and the slot full.
		const state = await page.evaluate(`(async () => { ${PRELUDE}
			const slot = indexedDbMessagingStore('crash-after-slot').slot('history');
			const before = slotHistoryStorage(slot, key);
			for (const m of ${JSON.stringify(old)}) await before.add(m);
			const stuck = { read: () => slot.read(), write: (b) => slot.write(b), clear: () => new Promise(() => {}) };
			void indexedDbHistoryStorage({ dbName: 'crash-after', key, legacy: stuck }).ready();
			for (let i = 0; i < 200; i++) {
				await new Promise((r) => setTimeout(r, 25));
				const db = await rawOpen('crash-after');
				const names = [...db.objectStoreNames];
				db.close();
				if (names.includes('meta') && (await rawAll('crash-after', 'meta')).includes(true)) break;
			}
			return { stored: (await rawAll('crash-after', 'messages')).length, slot: (await slot.read())?.length > 0 };
		})()`);
		await page.close();
		expect(state).toEqual({ stored: 200, slot: true });
		const after = await inPage<Record<string, unknown>>(`
			const slot = indexedDbMessagingStore('crash-after-slot').slot('history');
			const history = indexedDbHistoryStorage({ dbName: 'crash-after', key, legacy: slot });
			const out = {
				imported: await history.ready(),
				slot: (await slot.read()) === undefined,
				messages: (await history.list(${JSON.stringify(bob)})).length + (await history.list(${JSON.stringify(carol)})).length,
				records: (await rawAll('crash-after', 'messages')).length
			};
			history.close();
			return out;
		`);
		expect(after).toEqual({ imported: 0, slot: true, messages: 200, records: 200 });
	}, 120_000);

	it('loses nothing when the page dies between two chunks of the import', async () => {
		const old = Array.from({ length: 3 * MIGRATION_CHUNK }, (_, i) => message(i % 3 ? bob : carol, i));
		const sealed = await oldSlot(old, 1);
		const page = await profile.context.newPage();
		await page.goto(origin);
		// Watch the database from the same page and close it once some chunks are in, not all.
		const seen = (await page.evaluate(`(async () => { ${PRELUDE}
			const slot = indexedDbMessagingStore('crash-during-slot').slot('history');
			await slot.write(fromB64(${JSON.stringify(sealed)}));
			void indexedDbHistoryStorage({ dbName: 'crash-during', key, legacy: slot }).ready();
			for (let i = 0; i < 3000; i++) {
				await new Promise((r) => setTimeout(r, 5));
				const db = await rawOpen('crash-during');
				const ready = db.objectStoreNames.contains('messages');
				db.close();
				if (!ready) continue;
				const n = (await rawAll('crash-during', 'messages')).length;
				if (n > 0) return { records: n, migrated: (await rawAll('crash-during', 'meta')).includes(true) };
			}
			return { records: 0, migrated: false };
		})()`)) as { records: number; migrated: boolean };
		await page.close();
		expect(seen.records).toBeGreaterThan(0);
		expect(seen.records).toBeLessThan(old.length);
		expect(seen.migrated).toBe(false);
		const after = await inPage<Record<string, unknown>>(`
			const slot = indexedDbMessagingStore('crash-during-slot').slot('history');
			const history = indexedDbHistoryStorage({ dbName: 'crash-during', key, legacy: slot });
			const out = {
				imported: await history.ready(),
				slot: (await slot.read()) === undefined,
				records: (await rawAll('crash-during', 'messages')).length,
				synced: await history.syncedDay(),
				unread: (await history.conversations()).map((c) => c.unread),
				latest: (await history.list(${JSON.stringify(bob)}, { limit: 1 })).map((m) => m.sentAt)
			};
			history.close();
			return out;
		`);
		expect(after).toEqual({
			imported: old.length,
			slot: true,
			records: old.length,
			synced: 1,
			unread: [2 * MIGRATION_CHUNK, MIGRATION_CHUNK],
			latest: [old.length - 1]
		});
	}, 120_000);

	it('reads 20,000 messages by pages in bounded time', async () => {
		const N = 20_000;
		const messages = Array.from({ length: N }, (_, i) =>
			message(i % 10 === 0 ? carol : bob, 1_000_000 + i, `message ${i}`)
		);
		const sealed = await oldSlot(messages);
		const target = messages[N - 7]!;
		const result = await inPage<Record<string, unknown>>(`
			const slot = indexedDbMessagingStore('big-slot').slot('history');
			await slot.write(fromB64(${JSON.stringify(sealed)}));
			const history = indexedDbHistoryStorage({ dbName: 'big', key, legacy: slot });
			const t0 = performance.now();
			const imported = await history.ready();
			const t1 = performance.now();
			const bob = ${JSON.stringify(bob)};
			const latest = await history.list(bob, { limit: 50 });
			const t2 = performance.now();
			const previous = await history.list(bob, { before: latest[0].sentAt, limit: 50 });
			const t2b = performance.now();
			const summaries = await history.conversations();
			const t3 = performance.now();
			await history.update(bob, ${JSON.stringify(target.id)}, { status: 'read' });
			const added = await history.add(${JSON.stringify(message(bob, 2_000_000, 'new'))});
			const t4 = performance.now();
			let walked = 0;
			let oldest = Infinity;
			let ordered = true;
			for (let before; ; ) {
				const page = await history.list(bob, { before, limit: 1000 });
				if (page.length === 0) break;
				if (page[page.length - 1].sentAt >= oldest) ordered = false;
				walked += page.length;
				oldest = page[0].sentAt;
				before = oldest;
			}
			const t5 = performance.now();
			const out = {
				imported,
				latest: latest.map((m) => m.sentAt),
				previous: previous.map((m) => m.sentAt),
				unread: summaries.map((s) => s.unread),
				added: String(added),
				walked,
				ordered: String(ordered),
				status: (await history.get(bob, ${JSON.stringify(target.id)})).status,
				importMs: t1 - t0,
				pageMs: t2 - t1,
				previousMs: t2b - t2,
				summaryMs: t3 - t2b,
				writeMs: t4 - t3,
				walkMs: t5 - t4
			};
			history.close();
			return out;
		`);
		console.log(
			`20,000 messages: import ${Math.round(result.importMs as number)} ms, latest page ${Math.round(result.pageMs as number)} ms, ` +
				`previous page ${Math.round(result.previousMs as number)} ms, summaries ${Math.round(result.summaryMs as number)} ms, update + add ${Math.round(result.writeMs as number)} ms, ` +
				`walk all pages ${Math.round(result.walkMs as number)} ms`
		);
		// Bob has 18,000 messages (every one but each tenth), plus the new one at the end.
		const bobTimes = messages.filter((m) => m.contact === bob).map((m) => m.sentAt);
		expect(result).toMatchObject({
			imported: N,
			latest: bobTimes.slice(-50),
			previous: bobTimes.slice(-100, -50),
			unread: [18_000, 2_000],
			added: 'true',
			walked: 18_001,
			ordered: 'true',
			status: 'read'
		});
		// Bounds with a wide margin for a shared machine; the point is that they do not grow with n.
		expect(result.pageMs).toBeLessThan(1_000);
		expect(result.previousMs).toBeLessThan(1_000);
		expect(result.summaryMs).toBeLessThan(1_000);
		expect(result.writeMs).toBeLessThan(1_000);
		expect(result.importMs).toBeLessThan(60_000);
	}, 180_000);
});
