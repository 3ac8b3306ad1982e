import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toBase64url, utf8 } from '../core/bytes.ts';
import { DecryptError, MalformedError, TooLargeError, UnsupportedVersionError } from '../core/errors.ts';
import { createIdentity, type MiaouId } from '../core/identity.ts';
import { randomBytes } from '../core/random.ts';
import { deriveAtRestKey } from './at-rest.ts';
import {
	compareMessages,
	MAX_HISTORY_PAGE,
	memoryHistoryStorage,
	type ChatMessage,
	type HistoryStorage
} from './history.ts';
import { decodeHistory, encodeHistory, MAX_HISTORY_SNAPSHOT_BYTES, slotHistoryStorage } from './history-slot.ts';
import { memorySlot } from './slot.ts';
import { fileSlot } from './slot-file.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const me = createIdentity();
const bob = createIdentity().id;
const carol = createIdentity().id;
const msg = (contact: MiaouId, sentAt: number, fields: Partial<ChatMessage> = {}): ChatMessage => ({
	id: toBase64url(randomBytes(16)),
	contact,
	direction: 'in',
	text: `at ${sentAt}`,
	sentAt,
	status: 'received',
	...fields
});

async function behaves(history: HistoryStorage) {
	const times = [50, 10, 30, 20, 40];
	const added = times.map((t) => msg(bob, t));
	for (const m of added) expect(await history.add(m)).toBe(true);
	expect(await history.add({ ...added[0]!, text: 'other text' })).toBe(false);
	expect(await history.add({ ...added[0]!, contact: carol })).toBe(true); // ids are per conversation
	expect((await history.list(bob)).map((m) => m.sentAt)).toEqual([10, 20, 30, 40, 50]);
	expect((await history.list(bob, { limit: 2 })).map((m) => m.sentAt)).toEqual([40, 50]);
	expect((await history.list(bob, { before: 40, limit: 2 })).map((m) => m.sentAt)).toEqual([20, 30]);
	expect(await history.list(createIdentity().id)).toEqual([]);

	const out = msg(bob, 60, { direction: 'out', status: 'pending' });
	await history.add(out);
	expect((await history.unsettled()).map((m) => m.id)).toEqual([out.id]);
	await history.update(bob, out.id, { status: 'failed', error: { code: 'ERR_X', message: 'x' } });
	expect(await history.get(bob, out.id)).toMatchObject({ status: 'failed', error: { code: 'ERR_X' } });
	await history.update(bob, out.id, { status: 'pending' });
	expect((await history.get(bob, out.id))!.error).toBeUndefined();
	expect(await history.update(bob, 'AAAAAAAAAAAAAAAAAAAAAA', { status: 'read' })).toBeUndefined();

	expect(await history.unread(bob)).toHaveLength(5);
	await history.update(bob, added[1]!.id, { status: 'read' });
	expect(await history.unread(bob)).toHaveLength(4);
	const conversations = await history.conversations();
	expect(conversations.map((c) => [c.contact, c.unread])).toEqual([
		[bob, 4],
		[carol, 1]
	]);
	expect(conversations[0]!.last.id).toBe(out.id);

	expect(await history.isProcessed('m/e')).toBe(false);
	await history.markProcessed('m/e', 100);
	await history.markProcessed('m/f', 101);
	expect(await history.isProcessed('m/e')).toBe(true);
	await history.forgetProcessed(101);
	expect(await history.isProcessed('m/e')).toBe(false);
	expect(await history.isProcessed('m/f')).toBe(true);
	expect(await history.syncedDay()).toBeUndefined();
	await history.setSyncedDay(99);
	expect(await history.syncedDay()).toBe(99);
}

describe('history', () => {
	it('memory: orders, pages, dedupes, tracks statuses and mailbox bookkeeping', () => behaves(memoryHistoryStorage()));
	it('sealed slot: the same behaviour', () =>
		behaves(slotHistoryStorage(memorySlot(), deriveAtRestKey(me, 'history'))));

	it('sealed file: survives a restart, and does not open with another key', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'miaou-history-'));
		dirs.push(dir);
		const path = join(dir, 'history.bin');
		const key = deriveAtRestKey(me, 'history');
		const first = slotHistoryStorage(fileSlot(path), key);
		const m = msg(bob, 5, { text: 'kept' });
		await first.add(m);
		await first.markProcessed('box/entry', 7);
		await first.setSyncedDay(6);
		const second = slotHistoryStorage(fileSlot(path), key);
		expect(await second.get(bob, m.id)).toEqual(m);
		expect(await second.isProcessed('box/entry')).toBe(true);
		expect(await second.syncedDay()).toBe(6);
		await expect(
			slotHistoryStorage(fileSlot(path), deriveAtRestKey(createIdentity(), 'history')).list(bob)
		).rejects.toBeInstanceOf(DecryptError);
	});

	it('pages through a long conversation quickly', async () => {
		const history = memoryHistoryStorage();
		const start = performance.now();
		for (let i = 0; i < 10_000; i++) await history.add(msg(bob, i));
		const page = await history.list(bob, { limit: 50 });
		expect(page.map((m) => m.sentAt)).toEqual(Array.from({ length: 50 }, (_, i) => 9950 + i));
		expect((await history.list(bob)).length).toBe(MAX_HISTORY_PAGE);
		expect(performance.now() - start).toBeLessThan(5_000);
	});

	it('sorts by send time then id', () => {
		const a = msg(bob, 1, { id: 'A'.repeat(22) });
		const b = msg(bob, 1, { id: 'B'.repeat(22) });
		expect([b, a].sort(compareMessages)).toEqual([a, b]);
	});

	it('refuses a bad snapshot', () => {
		const good = { messages: [msg(bob, 1)], processed: [['x', 1]] as [string, number][] };
		expect(decodeHistory(encodeHistory(good))).toEqual(good);
		const enc = (o: unknown) => utf8(JSON.stringify(o));
		expect(() => decodeHistory(enc({ v: 2, messages: [], processed: [] }))).toThrow(UnsupportedVersionError);
		expect(() => decodeHistory(enc({ v: 1, messages: [{ ...msg(bob, 1), contact: 'x' }], processed: [] }))).toThrow(
			MalformedError
		);
		expect(() => decodeHistory(enc({ v: 1, messages: [{ ...msg(bob, 1), status: 'weird' }], processed: [] }))).toThrow(
			MalformedError
		);
		expect(() => decodeHistory(enc({ v: 1, messages: [], processed: [['x', -1]] }))).toThrow(MalformedError);
		expect(() => decodeHistory(utf8('nope'))).toThrow(MalformedError);
		expect(() => decodeHistory(new Uint8Array(MAX_HISTORY_SNAPSHOT_BYTES + 1))).toThrow(TooLargeError);
	});
});
