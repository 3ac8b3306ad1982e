/**
 * The behaviour every {@link HistoryStorage} owes its callers, as one function that tests run
 * against each adapter: memory and sealed slot in Node (history.test.ts), IndexedDB in Chromium
 * (tests/integration/history-idb.test.ts). It throws on the first difference, naming it, and
 * uses no test framework, so the same code runs unbundled in a browser page. Test code: the app
 * never imports it.
 */
import { toBase64url } from '../core/bytes.ts';
import type { MiaouId } from '../core/identity.ts';
import { randomBytes } from '../core/random.ts';
import { MAX_HISTORY_PAGE, type ChatMessage, type HistoryStorage } from './history.ts';

/** Three distinct contact ids (ids are made where identity.ts loads, and passed in). */
export type ContractContacts = readonly [MiaouId, MiaouId, MiaouId];

/**
 * A message of a conversation, incoming and unread unless `fields` say otherwise.
 * @param contact - the conversation
 * @param sentAt - its send time
 * @param fields - fields to override
 * @returns the message, with a fresh random id
 */
export function contractMessage(contact: MiaouId, sentAt: number, fields: Partial<ChatMessage> = {}): ChatMessage {
	return {
		id: toBase64url(randomBytes(16)),
		contact,
		direction: 'in',
		text: `at ${sentAt}`,
		sentAt,
		status: 'received',
		...fields
	};
}

function same(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	if (Array.isArray(a) !== Array.isArray(b)) return false;
	const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
	const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
	return (
		ka.length === kb.length &&
		ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
	);
}

function expectSame(actual: unknown, expected: unknown, what: string): void {
	if (!same(actual, expected))
		throw new Error(`history contract: ${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

/**
 * Check that an empty history storage behaves as {@link HistoryStorage} says: order by send time,
 * pages, duplicates, statuses, unread, unsettled, summaries, mailbox bookkeeping.
 * @param history - an empty storage
 * @param contacts - three contact ids
 * @throws {Error} naming the first behaviour that differs
 */
export async function checkHistoryContract(history: HistoryStorage, contacts: ContractContacts): Promise<void> {
	const [bob, carol, dave] = contacts;
	expectSame(await history.conversations(), [], 'an empty history has no conversation');
	const times = [50, 10, 30, 20, 40];
	const added = times.map((t) => contractMessage(bob, t, { receivedAt: t + 1 }));
	for (const m of added) expectSame(await history.add(m), true, 'a new message is added');
	expectSame(await history.add({ ...added[0]!, text: 'other text' }), false, 'a duplicate is refused');
	expectSame(await history.get(bob, added[0]!.id), added[0], 'a duplicate changes nothing');
	expectSame(await history.add({ ...added[0]!, contact: carol }), true, 'ids are per conversation');

	const sentAt = (list: ChatMessage[]) => list.map((m) => m.sentAt);
	expectSame(sentAt(await history.list(bob)), [10, 20, 30, 40, 50], 'a conversation is ordered by send time');
	expectSame(
		await history.list(bob),
		[...added].sort((a, b) => a.sentAt - b.sentAt),
		'messages come back whole'
	);
	expectSame(sentAt(await history.list(bob, { limit: 2 })), [40, 50], 'the latest page');
	expectSame(sentAt(await history.list(bob, { before: 40, limit: 2 })), [20, 30], 'the page before a time');
	expectSame(sentAt(await history.list(bob, { before: 41, limit: 10 })), [10, 20, 30, 40], 'before is exclusive');
	expectSame(await history.list(bob, { before: 10 }), [], 'nothing before the first');
	expectSame(await history.list(bob, { limit: 0 }), [], 'a page of none');
	expectSame(await history.list(dave), [], 'an unknown conversation is empty');
	expectSame(await history.get(dave, added[0]!.id), undefined, 'a message of another conversation is not found');

	// Same send time: ordered by id on every page.
	const tie = [contractMessage(carol, 7, { id: 'B'.repeat(22) }), contractMessage(carol, 7, { id: 'A'.repeat(22) })];
	for (const m of tie) await history.add(m);
	expectSame(
		(await history.list(carol, { before: 8 })).map((m) => m.id),
		['A'.repeat(22), 'B'.repeat(22)],
		'equal times are ordered by id'
	);

	const out = contractMessage(bob, 60, { direction: 'out', status: 'pending' });
	const out2 = contractMessage(carol, 55, { direction: 'out', status: 'sent' });
	await history.add(out);
	await history.add(out2);
	expectSame(
		(await history.unsettled()).map((m) => m.id),
		[out2.id, out.id],
		'unsettled: pending and sent, every conversation'
	);
	const failed = await history.update(bob, out.id, { status: 'failed', error: { code: 'ERR_X', message: 'x' } });
	expectSame(failed, { ...out, status: 'failed', error: { code: 'ERR_X', message: 'x' } }, 'update returns it');
	expectSame(await history.get(bob, out.id), failed, 'an update is kept');
	expectSame((await history.unsettled()).length, 1, 'a failed message is settled');
	await history.update(bob, out.id, { status: 'pending' });
	expectSame((await history.get(bob, out.id))?.error, undefined, 'an update without error clears it');
	await history.update(bob, out.id, { status: 'delivered' });
	await history.update(carol, out2.id, { status: 'stored' });
	expectSame(await history.unsettled(), [], 'delivered and stored are settled');
	expectSame(await history.update(bob, 'AAAAAAAAAAAAAAAAAAAAAA', { status: 'read' }), undefined, 'update of none');

	expectSame((await history.unread(bob)).length, 5, 'incoming messages start unread');
	await history.update(bob, added[1]!.id, { status: 'read' });
	expectSame(
		sentAt(await history.unread(bob)),
		[20, 30, 40, 50],
		'a read message leaves unread; unread is oldest first'
	);
	const summaries = await history.conversations();
	expectSame(
		summaries.map((c) => [c.contact, c.unread, c.last.id]),
		[
			[bob, 4, out.id],
			[carol, 3, out2.id]
		],
		'summaries: latest first, with unread counts'
	);
	expectSame(summaries[0]!.last, { ...out, status: 'delivered' }, 'a summary holds the whole last message');

	for (let i = 0; i < MAX_HISTORY_PAGE + 5; i++) await history.add(contractMessage(dave, 1000 + i));
	expectSame((await history.list(dave)).length, MAX_HISTORY_PAGE, 'a page is capped');
	expectSame((await history.list(dave, { limit: MAX_HISTORY_PAGE + 5 })).length, MAX_HISTORY_PAGE, 'limit is capped');
	expectSame((await history.conversations())[0]!.unread, MAX_HISTORY_PAGE + 5, 'unread counts every message');

	expectSame(await history.isProcessed('m/e'), false, 'an entry starts unhandled');
	await history.markProcessed('m/e', 100);
	await history.markProcessed('m/f', 101);
	expectSame(await history.isProcessed('m/e'), true, 'a handled entry is remembered');
	await history.forgetProcessed(101);
	expectSame(await history.isProcessed('m/e'), false, 'entries of older days are forgotten');
	expectSame(await history.isProcessed('m/f'), true, 'entries of the day are kept');
	expectSame(await history.syncedDay(), undefined, 'no synced day at first');
	await history.setSyncedDay(99);
	expectSame(await history.syncedDay(), 99, 'the synced day is kept');
}
