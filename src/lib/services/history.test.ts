import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { utf8 } from '../core/bytes.ts';
import { DecryptError, MalformedError, TooLargeError, UnsupportedVersionError } from '../core/errors.ts';
import { createIdentity } from '../core/identity.ts';
import { deriveAtRestKey } from './at-rest.ts';
import { compareMessages, MAX_HISTORY_PAGE, memoryHistoryStorage } from './history.ts';
import { checkHistoryContract, contractMessage } from './history-contract.ts';
import { decodeHistory, encodeHistory, MAX_HISTORY_SNAPSHOT_BYTES, slotHistoryStorage } from './history-slot.ts';
import { memorySlot } from './slot.ts';
import { fileSlot } from './slot-file.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const me = createIdentity();
const bob = createIdentity().id;
const carol = createIdentity().id;
const msg = contractMessage;

describe('history', () => {
	const contacts = [bob, carol, createIdentity().id] as const;
	it('memory: orders, pages, dedupes, tracks statuses and mailbox bookkeeping', () =>
		checkHistoryContract(memoryHistoryStorage(), contacts));
	it('sealed slot: the same behaviour', () =>
		checkHistoryContract(slotHistoryStorage(memorySlot(), deriveAtRestKey(me, 'history')), contacts));
	it('the contract fails on a storage that breaks it', async () => {
		const broken = memoryHistoryStorage();
		await expect(checkHistoryContract({ ...broken, add: async () => true }, contacts)).rejects.toThrow(
			/a duplicate is refused/
		);
		await expect(
			checkHistoryContract({ ...memoryHistoryStorage(), unsettled: async () => [] }, contacts)
		).rejects.toThrow(/unsettled/);
	});

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
