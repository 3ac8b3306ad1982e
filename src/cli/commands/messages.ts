/**
 * `miaou send <id> <text>`, `miaou recv [--wait <seconds>]` and `miaou history [id]`: one-to-one
 * messages from the command line (issue #4, CLI counterparts; docs/cli.md "Messages"), on the
 * same messenger as the web app (src/lib/services/messaging.ts), so the two talk to each other.
 *
 * A CLI command is a short session: it opens the sealed local state, connects to the relays,
 * starts the messenger (which resumes the outbox and reads the mailboxes it missed), does its
 * work, waits a bounded time for what it queued to reach a relay, and stops. Whatever is still
 * queued stays in `<home>/outbox.json` for the next `send` or `recv`.
 */
import { MalformedError, MiaouError, TooLargeError, UsageError } from '../../lib/core/errors.ts';
import { shortFingerprint, signingKeyFromId, type MiaouId } from '../../lib/core/identity.ts';
import { NotStoredError } from '../../lib/core/errors.ts';
import { relayBlobStore } from '../../lib/net/blob-store.ts';
import { checkText } from '../../lib/services/chat-content.ts';
import type { ChatMessage } from '../../lib/services/history.ts';
import type { Messenger, StatusEvent } from '../../lib/services/messaging.ts';
import type { CliIO, Globals } from '../context.ts';
import { loadIdentityFile } from '../identity-file.ts';
import { DEFAULT_HISTORY_LIMIT, DEFAULT_SEND_TIMEOUT_S, MAX_HISTORY_LIMIT, MAX_WAIT_S } from '../limits.ts';
import { openLocalState, openMessenger, type LocalState } from '../messaging-home.ts';
import { connectRecords, requireRelays, type RecordSession, type RelayOptions } from '../network.ts';
import { formatFields, terminalSafe, type CommandResult, type JsonValue } from '../output.ts';

/** After the first message arrives during `recv --wait`, how long to wait for more of the same burst. */
export const RECV_SETTLE_MS = 500;
/** How long a command waits, before it stops, for its receipts to reach a relay. */
export const RECEIPT_FLUSH_MS = 15_000;

/**
 * Before a command stops, give what it queued (its message, receipts) a bounded time to reach a
 * relay, with the messenger's own `flush` (services/messaging.ts: it watches the outbox and keeps
 * its pace and backoff). What is left stays in `outbox.json` for the next `send` or `recv`
 * (docs/cli.md "Messages").
 * @param messenger - the running messenger
 * @param ms - the longest wait; 0 or less does not wait
 * @param signal - stops the wait early (the command is being interrupted)
 * @returns how many envelopes are still queued (0 when everything reached a relay)
 */
export async function flushQueued(
	messenger: Pick<Messenger, 'flush' | 'pending'>,
	ms: number,
	signal?: AbortSignal
): Promise<number> {
	if (ms > 0 && messenger.pending() > 0)
		await messenger.flush({ timeoutMs: Math.min(ms, RECEIPT_FLUSH_MS), ...(signal ? { signal } : {}) });
	return messenger.pending();
}

/**
 * Read a number of seconds.
 * @throws {UsageError} when it is not a number from 0 to MAX_WAIT_S
 */
function seconds(text: string | undefined, name: string, fallback: number): number {
	if (text === undefined) return fallback;
	const value = Number(text);
	if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > MAX_WAIT_S)
		throw new UsageError(`The ${name} option needs a number of seconds from 0 to ${MAX_WAIT_S}.`);
	return value;
}

/**
 * Check an id argument.
 * @throws {InvalidIdError} (exit 2)
 */
function checkId(id: string): MiaouId {
	signingKeyFromId(id);
	return id as MiaouId;
}

/** Everything a messaging command holds open. */
interface Running {
	local: LocalState;
	session: RecordSession;
	messenger: Messenger;
	errors: unknown[];
}

/**
 * Open the local state, connect, and start the messenger (resuming the outbox and catching up).
 * @throws what opening, connecting or starting throws; everything opened so far is closed again
 */
async function startMessenger(io: CliIO, g: Globals, relays: string[]): Promise<Running> {
	const local = await openLocalState(io, g);
	let session: RecordSession | undefined;
	try {
		session = await connectRecords(relays);
		const errors: unknown[] = [];
		const messenger = openMessenger(local, session.store, relayBlobStore(session.open), (e) => errors.push(e));
		await messenger.start();
		return { local, session, messenger, errors };
	} catch (err) {
		session?.close();
		await local.close();
		throw err;
	}
}

/** Stop in order: the messenger (what is unsent stays queued), the relays, the local state. */
async function stopMessenger(r: Running): Promise<void> {
	try {
		await r.messenger.stop();
	} finally {
		r.session.close();
		await r.local.close();
	}
}

/** A contact's display label: their name if known, and the short fingerprint. */
function label(local: LocalState, id: MiaouId): string {
	const name = local.contacts.get(id)?.name;
	return name ? `${terminalSafe(name, true)} (${shortFingerprint(id)})` : shortFingerprint(id);
}

function messageJson(local: LocalState, m: ChatMessage): { [key: string]: JsonValue } {
	const out: { [key: string]: JsonValue } = {
		id: m.id,
		contact: m.contact,
		direction: m.direction,
		text: m.text,
		sentAt: new Date(m.sentAt).toISOString(),
		status: m.status
	};
	const name = local.contacts.get(m.contact)?.name;
	if (name !== undefined) out.name = name;
	if (m.receivedAt !== undefined) out.receivedAt = new Date(m.receivedAt).toISOString();
	if (m.error) out.error = { code: m.error.code, message: m.error.message };
	return out;
}

/** `send` options. */
export interface SendOptions extends RelayOptions {
	timeout?: string;
}

/**
 * `miaou send <id> <text>`: encrypt a message and wait until a relay stored it.
 * @param io - process surroundings (passphrase; MIAOU_RELAYS)
 * @param g - global options
 * @param to - the recipient's id
 * @param text - the message
 * @param opts - `--timeout` seconds to wait for a relay to store it (default 30), `--relay`
 * @returns the message id and its state (`stored`, or further if a receipt came meanwhile)
 * @throws {InvalidIdError | UsageError} on bad arguments or no relay (exit 2)
 * @throws {NoProfileError} when the recipient published no profile and there is no session yet (exit 1)
 * @throws {NotStoredError} when no relay stored it in time; it stays queued (exit 1)
 * @throws {MiaouError} with the relay's reason when the message failed for good (exit 1)
 */
export async function send(io: CliIO, g: Globals, to: string, text: string, opts: SendOptions): Promise<CommandResult> {
	const id = checkId(to);
	try {
		checkText(text);
	} catch (err) {
		if (err instanceof MalformedError || err instanceof TooLargeError) throw new UsageError(err.message);
		throw err;
	}
	const timeoutS = seconds(opts.timeout, '--timeout', DEFAULT_SEND_TIMEOUT_S);
	const relays = requireRelays(opts.relay, io.env);
	if (id === (await loadIdentityFile(g.home)).id) throw new UsageError('You cannot send a message to yourself.');
	const r = await startMessenger(io, g, relays);
	try {
		const events: StatusEvent[] = [];
		let wake: (() => void) | undefined;
		const stop = r.messenger.onStatus((e) => {
			events.push(e);
			wake?.();
		});
		const message = await r.messenger.send(id, text);
		const settled = (): StatusEvent | undefined =>
			events.find((e) => e.id === message.id && e.status !== 'pending' && e.status !== 'sent');
		const deadline = Date.now() + timeoutS * 1000;
		while (!settled() && Date.now() < deadline) {
			await new Promise<void>((resolve) => {
				wake = resolve;
				setTimeout(resolve, Math.max(0, deadline - Date.now()));
			});
		}
		stop();
		const outcome = settled();
		if (!outcome) throw new NotStoredError(timeoutS, r.local.outbox.lastError());
		if (outcome.status === 'failed') {
			throw new MiaouError(
				outcome.error?.code ?? 'ERR_NOT_SENT',
				outcome.error?.message ?? 'The message could not be sent.'
			);
		}
		// Deliver what else is queued (receipts) while we are connected, for a bounded time.
		await flushQueued(r.messenger, deadline - Date.now());
		const stored = (await r.local.history.get(id, message.id)) ?? message;
		return {
			json: {
				id: message.id,
				to: id,
				status: stored.status,
				sentAt: new Date(message.sentAt).toISOString()
			},
			human: formatFields([
				['to', label(r.local, id)],
				['message', message.id],
				['status', `${stored.status} (a relay holds it; the recipient fetches it from there)`]
			])
		};
	} finally {
		await stopMessenger(r);
	}
}

/** `recv` options. */
export interface RecvOptions extends RelayOptions {
	wait?: string;
}

/** Every unread incoming message, oldest first. */
async function unreadMessages(local: LocalState): Promise<ChatMessage[]> {
	const out: ChatMessage[] = [];
	for (const c of await local.history.conversations())
		if (c.unread > 0) out.push(...(await local.history.unread(c.contact)));
	return out.sort((a, b) => (a.receivedAt ?? 0) - (b.receivedAt ?? 0) || a.sentAt - b.sentAt);
}

/**
 * `miaou recv [--wait <seconds>]`: fetch new messages, print them, and mark them read (read
 * receipts go back to the senders). Publishes your profile on the relays first if they do not
 * have it yet and your identity has a name, so people can write to you.
 * @param io - process surroundings (passphrase; MIAOU_RELAYS)
 * @param g - global options
 * @param opts - `--wait` seconds to wait for a message when there is none (default 0), `--relay`
 * @returns the new messages, oldest first (an empty list is a success)
 * @throws {UsageError} on a bad option or no relay (exit 2)
 * @throws {NoRelayError} when no relay could be reached (exit 1)
 */
export async function recv(io: CliIO, g: Globals, opts: RecvOptions): Promise<CommandResult> {
	const waitS = seconds(opts.wait, '--wait', 0);
	const relays = requireRelays(opts.relay, io.env);
	const r = await startMessenger(io, g, relays);
	try {
		const me = r.local.identity.id;
		let published = (await r.messenger.profiles.fetch(me)) !== undefined;
		if (!published && r.local.file.name !== undefined) {
			await r.messenger.profiles.publish({ name: r.local.file.name, relays: r.session.open });
			published = true;
		}
		let arrived = false;
		let wake: (() => void) | undefined;
		const stop = r.messenger.onMessage(() => {
			arrived = true;
			wake?.();
		});
		await r.messenger.sync();
		let messages = await unreadMessages(r.local);
		if (messages.length === 0 && waitS > 0) {
			const deadline = Date.now() + waitS * 1000;
			while (!arrived && Date.now() < deadline) {
				await new Promise<void>((resolve) => {
					wake = resolve;
					setTimeout(resolve, Math.max(0, deadline - Date.now()));
				});
			}
			// More of the same burst may be in flight: give it a moment, then read the mailboxes again.
			if (arrived) await new Promise((resolve) => setTimeout(resolve, RECV_SETTLE_MS));
			await r.messenger.sync();
			messages = await unreadMessages(r.local);
		}
		stop();
		for (const contact of new Set(messages.map((m) => m.contact))) await r.messenger.markRead(contact);
		await flushQueued(r.messenger, RECEIPT_FLUSH_MS);
		const human =
			(messages.length === 0
				? 'No new messages.\n'
				: messages
						.map((m) => {
							const when = new Date(m.sentAt).toISOString().replace('T', ' ').slice(0, 19);
							const body = terminalSafe(m.text).replace(/\n/g, '\n    ');
							return `[${when}] ${label(r.local, m.contact)}: ${body}\n`;
						})
						.join('')) +
			(published ? '' : 'Your profile is not published: run "miaou profile publish --name <name>".\n');
		return {
			json: {
				messages: messages.map((m) => messageJson(r.local, { ...m, status: 'read' })),
				profilePublished: published
			},
			human
		};
	} finally {
		await stopMessenger(r);
	}
}

/** `history` options. */
export interface HistoryOptions {
	limit?: string;
}

/**
 * `miaou history [id]`: your conversations, or the messages of one (local, no relay needed).
 * @param io - process surroundings (passphrase: the history is sealed)
 * @param g - global options
 * @param idArg - a contact's id, or undefined for the list of conversations
 * @param opts - `--limit` (default 50, at most 1000)
 * @returns the conversations (latest first) or the messages (oldest first)
 * @throws {InvalidIdError | UsageError} on bad arguments (exit 2)
 */
export async function history(
	io: CliIO,
	g: Globals,
	idArg: string | undefined,
	opts: HistoryOptions
): Promise<CommandResult> {
	const id = idArg === undefined ? undefined : checkId(idArg);
	let limit = DEFAULT_HISTORY_LIMIT;
	if (opts.limit !== undefined) {
		limit = Number(opts.limit);
		if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT)
			throw new UsageError(`The --limit option needs a whole number from 1 to ${MAX_HISTORY_LIMIT}.`);
	}
	const local = await openLocalState(io, g);
	try {
		if (id === undefined) {
			const conversations = (await local.history.conversations()).slice(0, limit);
			return {
				json: {
					conversations: conversations.map((c) => {
						const out: { [key: string]: JsonValue } = {
							contact: c.contact,
							unread: c.unread,
							last: messageJson(local, c.last)
						};
						const name = local.contacts.get(c.contact)?.name;
						if (name !== undefined) out.name = name;
						return out;
					})
				},
				human:
					conversations.length === 0
						? 'No conversations yet.'
						: conversations
								.map((c) => {
									const arrow = c.last.direction === 'out' ? 'you: ' : '';
									const unread = c.unread > 0 ? `  (${c.unread} unread)` : '';
									const text = terminalSafe(c.last.text, true).slice(0, 60);
									return `${label(local, c.contact)}  ${c.contact}${unread}\n    ${arrow}${text}`;
								})
								.join('\n')
			};
		}
		const messages = await local.history.list(id, { limit });
		return {
			json: { contact: id, messages: messages.map((m) => messageJson(local, m)) },
			human:
				messages.length === 0
					? `No messages with ${id}.`
					: messages
							.map((m) => {
								const when = new Date(m.sentAt).toISOString().replace('T', ' ').slice(0, 19);
								const who = m.direction === 'out' ? 'you' : label(local, id);
								const state = m.direction === 'out' ? `  [${m.status}]` : '';
								return `[${when}] ${who}: ${terminalSafe(m.text).replace(/\n/g, '\n    ')}${state}`;
							})
							.join('\n')
		};
	} finally {
		await local.close();
	}
}
