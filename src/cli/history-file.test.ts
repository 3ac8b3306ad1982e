import { describe, expect, it } from 'vitest';
import { utf8 } from '../lib/core/bytes.ts';
import { DecryptError, MalformedError, UnsupportedVersionError } from '../lib/core/errors.ts';
import { createIdentity } from '../lib/core/identity.ts';
import { deriveAtRestKey, sealAtRest } from '../lib/services/at-rest.ts';
import type { ChatMessage } from '../lib/services/history.ts';
import { memorySlot, type ByteSlot } from '../lib/services/slot.ts';
import { decodeHistory, encodeHistory, MAX_HISTORY_MESSAGES, openFileHistory } from './history-file.ts';

const me = createIdentity();
const bob = createIdentity().id;
const key = deriveAtRestKey(me, 'history');

const message = (id: string, sentAt: number, text = `text ${id}`): ChatMessage => ({
	id,
	contact: bob,
	direction: 'in',
	text,
	sentAt,
	receivedAt: sentAt + 5,
	status: 'received'
});

describe('the history file', () => {
	it('survives a restart: messages, handled entries and the synced day', async () => {
		const slot = memorySlot();
		const first = await openFileHistory(slot, key);
		await first.add(message('a', 1000));
		await first.add({
			...message('b', 2000),
			direction: 'out',
			status: 'failed',
			error: { code: 'ERR_X', message: 'no.' }
		});
		await first.markProcessed('mailbox/entry', 20_000);
		await first.setSyncedDay(20_001);
		expect(slot.value).toBeUndefined(); // nothing written before flush
		await first.flush();
		expect(Buffer.from(slot.value!).includes(Buffer.from('text a'))).toBe(false); // sealed

		const second = await openFileHistory(slot, key);
		expect((await second.list(bob)).map((m) => m.id)).toEqual(['a', 'b']);
		expect((await second.get(bob, 'b'))?.error).toEqual({ code: 'ERR_X', message: 'no.' });
		expect(await second.isProcessed('mailbox/entry')).toBe(true);
		expect(await second.syncedDay()).toBe(20_001);
		expect(await second.add(message('a', 1000))).toBe(false); // still a duplicate
	});

	it('writes once per flush, and only what changed', async () => {
		const inner = memorySlot();
		let writes = 0;
		const slot: ByteSlot = { read: (o) => inner.read(o), write: (b, o) => (writes++, inner.write(b, o)) };
		const history = await openFileHistory(slot, key);
		await history.flush();
		expect(writes).toBe(0);
		for (let i = 0; i < 10; i++) await history.add(message(`m${i}`, i));
		await Promise.all([history.flush(), history.flush()]);
		expect(writes).toBe(1);
	});

	it('a failed write is retried by the next flush', async () => {
		const inner = memorySlot();
		let fail = true;
		const slot: ByteSlot = {
			read: (o) => inner.read(o),
			write: async (b, o) => {
				if (fail) throw new Error('disk full');
				return inner.write(b, o);
			}
		};
		const history = await openFileHistory(slot, key);
		await history.add(message('a', 1));
		await expect(history.flush()).rejects.toThrow('disk full');
		fail = false;
		await history.flush();
		expect((await (await openFileHistory(inner, key)).list(bob)).map((m) => m.id)).toEqual(['a']);
	});

	it('another identity cannot open it', async () => {
		const slot = memorySlot();
		const history = await openFileHistory(slot, key);
		await history.add(message('a', 1));
		await history.flush();
		await expect(openFileHistory(slot, deriveAtRestKey(createIdentity(), 'history'))).rejects.toThrow(DecryptError);
		// Nor does the same identity's key for another purpose.
		await expect(openFileHistory(slot, deriveAtRestKey(me, 'sessions'))).rejects.toThrow(DecryptError);
	});

	it('refuses damaged content with a named error', async () => {
		const sealed = (text: string): ByteSlot => {
			const slot = memorySlot();
			void slot.write(sealAtRest(key, utf8(text), 'cli-history'));
			return slot;
		};
		await expect(openFileHistory(sealed('not json'), key)).rejects.toThrow(MalformedError);
		await expect(openFileHistory(sealed('{"v":2,"messages":[],"processed":[]}'), key)).rejects.toThrow(
			UnsupportedVersionError
		);
		const bad = [
			{ messages: [{ ...message('a', 1), contact: 'bob' }], processed: [] },
			{ messages: [{ ...message('a', 1), status: 'lost' }], processed: [] },
			{ messages: [{ ...message('a', 1), sentAt: 1.5 }], processed: [] },
			{ messages: [], processed: [['x', 'y']] },
			{ messages: {}, processed: [] }
		];
		for (const content of bad)
			expect(() => decodeHistory(utf8(JSON.stringify({ v: 1, ...content })))).toThrow(MalformedError);
	});

	it('keeps the latest MAX_HISTORY_MESSAGES messages', () => {
		const messages = Array.from({ length: MAX_HISTORY_MESSAGES + 3 }, (_, i) => message(`m${i}`, i));
		const decoded = decodeHistory(encodeHistory({ messages: [...messages].reverse(), processed: [] }));
		expect(decoded.messages).toHaveLength(MAX_HISTORY_MESSAGES);
		expect(decoded.messages[0]!.id).toBe('m3');
	});
});
