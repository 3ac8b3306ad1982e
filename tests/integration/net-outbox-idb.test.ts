/**
 * The outbox over IndexedDB in real Chromium: the modules run unbundled in the page (Node strips
 * their types; they import nothing but each other), the outbox saves items while the relay is
 * unreachable, the page is closed, and a new page in the same browser profile finds them and
 * sends them (issue 4: "an outbox in IndexedDB that survives reloads").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLibPage, type LibPage } from '../helpers/lib-page.ts';

let lib: LibPage;
let origin: string;
let profile: LibPage['profile'];

beforeAll(async () => {
	lib = await startLibPage('outbox');
	({ origin, profile } = lib);
}, 120_000);

afterAll(async () => {
	await lib?.close();
});

describe('indexedDbOutboxStorage in Chromium', () => {
	it('keeps unsent items across a page reload and sends them from the new page', async () => {
		const first = await profile.context.newPage();
		await first.goto(origin);
		// Page scripts are passed as text: vitest rewrites `import()` in functions it compiles.
		const saved = await first.evaluate(`(async () => {
			const { createOutbox } = await import('/net/outbox.ts');
			const { indexedDbOutboxStorage } = await import('/net/outbox-idb.ts');
			const outbox = createOutbox({
				storage: indexedDbOutboxStorage('miaou-outbox-test'),
				send: async () => {
					throw new Error('offline');
				}
			});
			await outbox.start();
			await outbox.add({ text: 'one' }, { id: 'm1' });
			await outbox.add({ text: 'two', bytes: new Uint8Array([1, 2, 3]) }, { id: 'm2' });
			await new Promise((r) => setTimeout(r, 100));
			const items = outbox.list().map((i) => [i.id, i.state, i.attempts, i.lastError?.message]);
			await outbox.close();
			return items;
		})()`);
		expect(saved).toEqual([
			['m1', 'pending', 1, 'offline'],
			['m2', 'pending', 1, 'offline']
		]);
		await first.close();

		const second = await profile.context.newPage();
		await second.goto(origin);
		const after = (await second.evaluate(`(async () => {
			const { createOutbox } = await import('/net/outbox.ts');
			const { indexedDbOutboxStorage } = await import('/net/outbox-idb.ts');
			const storage = indexedDbOutboxStorage('miaou-outbox-test');
			const sent = [];
			const outbox = createOutbox({
				storage,
				send: async (item) => {
					sent.push({ ...item.payload, ...(item.payload.bytes ? { bytes: [...item.payload.bytes] } : {}) });
				},
				// The saved backoff says when to retry: let this page's clock be past it.
				now: () => Date.now() + 60000
			});
			await outbox.start();
			const loaded = outbox.list().map((i) => [i.id, i.attempts]);
			for (let i = 0; i < 100 && outbox.list().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
			const left = await storage.load();
			await outbox.close();
			return { loaded, sent, left: left.length };
		})()`)) as { loaded: unknown; sent: unknown; left: number };
		expect(after.loaded).toEqual([
			['m1', 1],
			['m2', 1]
		]);
		expect(after.sent).toEqual([{ text: 'one' }, { text: 'two', bytes: [1, 2, 3] }]);
		expect(after.left).toBe(0);
		await second.close();
	}, 120_000);
});
