import { describe, expect, it } from 'vitest';
import { createIdentity, type MiaouId } from '../core/identity.ts';
import { memoryBlobStore } from '../net/blob-store.ts';
import { memoryOutboxStorage } from '../net/outbox.ts';
import { memoryRecordNetwork, memoryRecordStore } from '../net/record-store-memory.ts';
import { memoryContactStorage } from '../services/contacts.ts';
import { memoryHistoryStorage, type ChatMessage } from '../services/history.ts';
import { memoryPrekeyStorage } from '../services/prekeys.ts';
import { memorySessionStorage } from '../services/sessions.ts';
import { ed25519, TEST_POW_BITS } from '../services/testing/party.ts';
import { Conversation, PAGE_SIZE, relativeTime } from './chats.svelte.ts';
import { MessagingState } from './messenger.svelte.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

describe('relativeTime', () => {
	it('says now, minutes, hours, yesterday, weeks in English and French', () => {
		expect(relativeTime(NOW - 10_000, NOW, 'en')).toBe('now');
		expect(relativeTime(NOW - 5 * 60_000, NOW, 'en')).toBe('5 minutes ago');
		expect(relativeTime(NOW - 3 * 3_600_000, NOW, 'en')).toBe('3 hours ago');
		expect(relativeTime(NOW - 86_400_000, NOW, 'en')).toBe('yesterday');
		expect(relativeTime(NOW - 15 * 86_400_000, NOW, 'en')).toBe('2 weeks ago');
		expect(relativeTime(NOW - 400 * 86_400_000, NOW, 'en')).toBe('last year');
		expect(relativeTime(NOW - 10_000, NOW, 'fr')).toBe('maintenant');
		expect(relativeTime(NOW - 5 * 60_000, NOW, 'fr')).toBe('il y a 5 minutes');
		expect(relativeTime(NOW - 86_400_000, NOW, 'fr')).toBe('hier');
		// A sender's clock a little ahead shows as the future, not as nonsense.
		expect(relativeTime(NOW + 2 * 60_000, NOW, 'en')).toBe('in 2 minutes');
	});
});

/** A running state whose history already holds `count` messages with one contact. */
async function withHistory(count: number) {
	const history = memoryHistoryStorage();
	const contact = createIdentity().id;
	for (let i = 0; i < count; i++) {
		const message: ChatMessage = {
			id: `m${String(i).padStart(6, '0')}`,
			contact,
			direction: i % 2 ? 'in' : 'out',
			text: `message ${i}`,
			sentAt: NOW + i * 1000,
			status: i % 2 ? 'read' : 'delivered'
		};
		await history.add(message);
	}
	const network = memoryRecordNetwork({ ed25519, powBits: TEST_POW_BITS });
	const state = new MessagingState({
		connect: async () => ({
			records: memoryRecordStore({ network, ed25519, powBits: TEST_POW_BITS }),
			blobs: memoryBlobStore(),
			relays: () => []
		}),
		stores: () => ({
			outbox: memoryOutboxStorage(),
			sessions: memorySessionStorage(),
			history,
			prekeys: memoryPrekeyStorage(),
			contacts: memoryContactStorage()
		}),
		ed25519,
		powBits: TEST_POW_BITS
	});
	await state.start(createIdentity(), 'Me');
	return { state, history, contact: contact as MiaouId };
}

describe('Conversation', () => {
	it('reads only the latest page, then older pages on demand, in order and without duplicates', async () => {
		const { state, contact } = await withHistory(2 * PAGE_SIZE + 20);
		const view = new Conversation(state, contact);
		expect(view.loaded).toBe(false);
		await view.refresh();
		expect(view.loaded).toBe(true);
		expect(view.messages).toHaveLength(PAGE_SIZE);
		expect(view.messages.at(-1)?.text).toBe(`message ${2 * PAGE_SIZE + 19}`);
		expect(view.hasMore).toBe(true);
		expect(await view.loadOlder()).toBe(PAGE_SIZE);
		expect(view.hasMore).toBe(true);
		expect(await view.loadOlder()).toBe(20);
		expect(view.hasMore).toBe(false);
		expect(await view.loadOlder()).toBe(0);
		expect(view.messages.map((m) => m.text)).toEqual(
			Array.from({ length: 2 * PAGE_SIZE + 20 }, (_, i) => `message ${i}`)
		);
		// A refresh merges the latest page again: nothing is duplicated.
		await view.refresh();
		expect(view.messages).toHaveLength(2 * PAGE_SIZE + 20);
		state.stop();
	});

	it('does not skip messages of the same millisecond split across two pages', async () => {
		const { state, history, contact } = await withHistory(PAGE_SIZE);
		// Three more at the time of the oldest message: the latest page ends inside that millisecond.
		for (const id of ['a', 'b', 'c'])
			await history.add({ id: `tie-${id}`, contact, direction: 'in', text: id, sentAt: NOW, status: 'read' });
		const view = new Conversation(state, contact);
		await view.refresh();
		expect(view.messages).toHaveLength(PAGE_SIZE);
		expect(await view.loadOlder()).toBe(3);
		expect(view.messages).toHaveLength(PAGE_SIZE + 3);
		expect(await view.loadOlder()).toBe(0);
		expect(view.hasMore).toBe(false);
		state.stop();
	});

	it('picks up new messages and state changes on refresh, keeping older loaded pages', async () => {
		const { state, history, contact } = await withHistory(PAGE_SIZE + 5);
		const view = new Conversation(state, contact);
		await view.refresh();
		await view.loadOlder();
		expect(view.messages).toHaveLength(PAGE_SIZE + 5);
		await history.add({
			id: 'new',
			contact,
			direction: 'in',
			text: 'fresh',
			sentAt: NOW + 10_000_000,
			status: 'received'
		});
		await history.update(contact, `m${String(PAGE_SIZE + 4).padStart(6, '0')}`, { status: 'read' });
		await view.refresh();
		expect(view.messages).toHaveLength(PAGE_SIZE + 6);
		expect(view.messages.at(-1)?.text).toBe('fresh');
		expect(view.messages.at(-2)?.status).toBe('read');
		expect(view.unread).toBe(true);
		state.stop();
	});

	it('opens the latest page of 10,000 messages quickly', async () => {
		const { state, contact } = await withHistory(10_000);
		const view = new Conversation(state, contact);
		const started = performance.now();
		await view.refresh();
		const ms = performance.now() - started;
		expect(view.messages).toHaveLength(PAGE_SIZE);
		expect(ms).toBeLessThan(200);
		state.stop();
	});
});
