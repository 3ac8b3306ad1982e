/**
 * One open conversation, reactive, built so that a long history stays fast: only the latest page
 * is read and rendered at first ({@link PAGE_SIZE} messages); older pages are read on demand
 * (scrolling up), each a binary search and a slice in the history storage. Whenever the history
 * changes (the messaging state's `revision`), only the latest page is read again and merged by
 * message id, which brings new messages and receipt states in.
 *
 * Also the relative times of the chat screens (Intl.RelativeTimeFormat in the chosen language).
 */
import type { MiaouId } from '../core/identity.ts';
import { compareMessages, type ChatMessage } from '../services/history.ts';
import type { MessagingState } from './messenger.svelte.ts';

/** Messages read per page. */
export const PAGE_SIZE = 50;

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
	['year', 365 * 86_400_000],
	['month', 30 * 86_400_000],
	['week', 7 * 86_400_000],
	['day', 86_400_000],
	['hour', 3_600_000],
	['minute', 60_000]
];

/**
 * A time relative to now, in a language: "just now" under a minute, then "5 minutes ago",
 * "yesterday", "3 weeks ago"…
 * @param then - the time (ms since the epoch)
 * @param now - the current time
 * @param locale - a BCP 47 language tag (`en`, `fr`)
 * @returns the text
 */
export function relativeTime(then: number, now: number, locale: string): string {
	const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
	const delta = then - now;
	for (const [unit, ms] of UNITS) {
		if (Math.abs(delta) >= ms) return format.format(Math.round(delta / ms), unit);
	}
	return format.format(0, 'second'); // "now" / « maintenant »
}

function merge(held: readonly ChatMessage[], fresh: readonly ChatMessage[]): ChatMessage[] {
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a temporary of a pure function, never reactive state
	const byId = new Map(held.map((m) => [m.id, m]));
	for (const m of fresh) byId.set(m.id, m);
	return [...byId.values()].sort(compareMessages);
}

/** A conversation's loaded messages, oldest first. */
export class Conversation {
	#state: MessagingState;
	#contact: MiaouId;
	#messages = $state.raw<readonly ChatMessage[]>([]);
	#hasMore = $state(false);
	#loading = $state(false);
	#loaded = $state(false);

	/**
	 * @param state - the messaging state
	 * @param contact - the other party
	 */
	constructor(state: MessagingState, contact: MiaouId) {
		this.#state = state;
		this.#contact = contact;
	}

	/** The other party. */
	get contact(): MiaouId {
		return this.#contact;
	}
	/** The loaded messages, oldest first. */
	get messages(): readonly ChatMessage[] {
		return this.#messages;
	}
	/** Whether older messages may exist beyond the loaded ones. */
	get hasMore(): boolean {
		return this.#hasMore;
	}
	/** True while an older page is read. */
	get loading(): boolean {
		return this.#loading;
	}
	/** True once the latest page was read. */
	get loaded(): boolean {
		return this.#loaded;
	}

	/**
	 * Read the latest page again and merge it in (new messages, new states).
	 * @throws {RangeError} when messaging is not running
	 */
	async refresh(): Promise<void> {
		const latest = await this.#state.history(this.#contact, { limit: PAGE_SIZE });
		if (!this.#loaded) this.#hasMore = latest.length === PAGE_SIZE;
		this.#messages = merge(this.#messages, latest);
		this.#loaded = true;
	}

	/**
	 * Read the page before the oldest loaded message.
	 * @returns how many messages were added
	 * @throws {RangeError} when messaging is not running
	 */
	async loadOlder(): Promise<number> {
		const oldest = this.#messages[0];
		if (!oldest || !this.#hasMore || this.#loading) return 0;
		this.#loading = true;
		try {
			// `before` is exclusive and by time only: ask up to the oldest loaded time included, so
			// messages of that same millisecond left out of the last page are not skipped; the page
			// is longer by the loaded messages of that millisecond, which the merge by id drops.
			const same = this.#messages.filter((m) => m.sentAt === oldest.sentAt).length;
			const limit = PAGE_SIZE + same;
			const older = await this.#state.history(this.#contact, { before: oldest.sentAt + 1, limit });
			const before = this.#messages.length;
			this.#messages = merge(this.#messages, older);
			const added = this.#messages.length - before;
			this.#hasMore = older.length === limit && added > 0;
			return added;
		} finally {
			this.#loading = false;
		}
	}

	/** Whether a message from them is still unread (a read receipt is due). */
	get unread(): boolean {
		return this.#messages.some((m) => m.direction === 'in' && m.status === 'received');
	}
}
