import { describe, expect, it, vi } from 'vitest';
import { toBase64url } from '../core/bytes.ts';
import { signingKeyPairFromSeed } from '../core/ed25519.ts';
import { ContentNotFoundError, TooLargeError } from '../core/errors.ts';
import { createIdentity } from '../core/identity.ts';
import { randomBytes } from '../core/random.ts';
import { MAX_ENVELOPE_BYTES } from '../core/envelope.ts';
import { signRecord } from '../core/records.ts';
import { memoryBlobStore } from '../net/blob-store.ts';
import { manualTimers } from '../net/manual-timers.ts';
import { memoryRecordNetwork, memoryRecordStore } from '../net/record-store-memory.ts';
import { importFile } from '../net/unixfs.ts';
import { memoryHistoryStorage } from './history.ts';
import { inboxMailbox, MAILBOX_DAY_MS, mailboxDay } from './mailbox.ts';
import { createMailboxReader, FETCH_RETRY_MS, MAX_FETCH_ATTEMPTS } from './mailbox-reader.ts';
import { ed25519, TEST_POW_BITS } from './testing/party.ts';

function setup() {
	const t = manualTimers(Date.UTC(2025, 5, 1, 12));
	const network = memoryRecordNetwork({ ed25519, powBits: TEST_POW_BITS, now: t.now });
	const records = memoryRecordStore({ network, ed25519, powBits: TEST_POW_BITS, now: t.now });
	const blobs = memoryBlobStore();
	const history = memoryHistoryStorage();
	const me = createIdentity().id;
	const opened: string[] = [];
	const dropped: unknown[] = [];
	const reader = (h = history) =>
		createMailboxReader({
			records,
			blobs,
			history: h,
			mailboxes: (day) => [inboxMailbox(me, day)],
			open: async (envelope) => void opened.push(new TextDecoder().decode(envelope)),
			drop: (error) => dropped.push(error),
			now: t.now,
			timers: t
		});
	const post = async (text: string, opts: { put?: boolean; size?: number } = {}) => {
		const bytes = new TextEncoder().encode(text);
		const cid = opts.put === false ? (await importFile(bytes)).root : await blobs.put(bytes);
		const state = t.now();
		await network.publish(
			await signRecord('box', {
				author: inboxMailbox(me, mailboxDay(state)),
				key: toBase64url(randomBytes(16)),
				body: { cid: cid.toString(), size: opts.size ?? bytes.length },
				state,
				signer: signingKeyPairFromSeed(randomBytes(32)),
				powBits: TEST_POW_BITS,
				ed25519
			})
		);
		return bytes;
	};
	return { t, blobs, history, opened, dropped, reader, post };
}

describe('mailbox reader', () => {
	it('hands over each entry once, also across a restart', async () => {
		const { t, history, opened, reader, post } = setup();
		await post('before start');
		const first = reader();
		await first.start();
		await post('while running');
		await first.sync();
		await t.flush();
		expect(opened.sort()).toEqual(['before start', 'while running']);
		await first.stop();
		const second = reader(history);
		await second.start();
		await second.sync();
		expect(opened).toHaveLength(2);
		await second.stop();
	});

	it('fetches a missing envelope again with a doubling delay, and gives up after the last attempt', async () => {
		const { t, blobs, opened, dropped, reader, post } = setup();
		const late = await post('arrives late', { put: false });
		const r = reader();
		await r.start();
		await t.flush();
		expect(opened).toEqual([]);
		await t.advance(FETCH_RETRY_MS - 1);
		await blobs.put(late);
		expect(opened).toEqual([]);
		await t.advance(1);
		expect(opened).toEqual(['arrives late']);
		expect(dropped).toEqual([]);

		await post('never arrives', { put: false });
		await r.sync();
		let waited = 0;
		for (let i = 1; i < MAX_FETCH_ATTEMPTS; i++) waited += FETCH_RETRY_MS * 2 ** (i - 1);
		await t.advance(waited - 1);
		expect(dropped).toEqual([]);
		await t.advance(1);
		expect(dropped).toHaveLength(1);
		expect(dropped[0]).toBeInstanceOf(ContentNotFoundError);
		expect(t.pending()).toBe(1); // only the midnight timer is left
		await r.stop();
	});

	it('drops an entry announcing more than an envelope can hold, without fetching it', async () => {
		const { t, opened, dropped, reader, post } = setup();
		await post('huge', { size: MAX_ENVELOPE_BYTES + 1 });
		const r = reader();
		await r.start();
		await r.sync();
		await t.flush();
		expect(opened).toEqual([]);
		expect(dropped).toHaveLength(1);
		expect(dropped[0]).toBeInstanceOf(TooLargeError);
		await r.stop();
	});

	it('moves on to the next day at midnight and records the day read', async () => {
		const { t, history, opened, reader, post } = setup();
		const r = reader();
		await r.start();
		const today = mailboxDay(t.now());
		expect(await history.syncedDay()).toBe(today - 2);
		await t.advance(MAILBOX_DAY_MS);
		expect(mailboxDay(t.now())).toBe(today + 1);
		await post('new day');
		// Verification of the new entry runs on WebCrypto's thread pool, outside the manual clock:
		// keep flushing the manual timers until it has been read (bounded in real time).
		await vi.waitFor(
			async () => {
				await t.flush();
				expect(opened).toEqual(['new day']);
			},
			{ timeout: 10_000, interval: 20 }
		);
		expect(await history.syncedDay()).toBe(today - 1);
		await r.stop();
	});
});
