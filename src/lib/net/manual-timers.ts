/**
 * A deterministic clock and timer queue for tests of anything that takes {@link Timers}: time
 * only moves when the test calls {@link ManualTimers.advance}, and timers fire in due order
 * (ties in the order they were set), so retry schedules can be checked to the millisecond.
 */
import type { Clock } from '../core/random.ts';
import type { TimerHandle, Timers } from './timers.ts';

/** A clock and timers driven by hand. */
export interface ManualTimers extends Timers {
	/** The current time (ms since the epoch, as {@link Clock}). */
	now: Clock;
	/** The same time as a monotonic reading. */
	monotonic: () => number;
	/**
	 * Move time forward by `ms`, firing every timer that falls due on the way, each at its own
	 * due time; a timer set by a firing timer fires too if it falls within the window. Pending
	 * promise callbacks run between timers (one macrotask each), so async code scheduled by a
	 * timer makes progress as it would in real time.
	 */
	advance(ms: number): Promise<void>;
	/** Let pending promise callbacks run without moving time. */
	flush(): Promise<void>;
	/** How many timers are waiting. */
	pending(): number;
	/** The due time of the next timer, if any. */
	nextDue(): number | undefined;
}

interface Entry {
	id: number;
	due: number;
	fn: () => void;
}

/** Wait for one real macrotask, so every promise callback queued before it has run. */
function macrotask(): Promise<void> {
	return new Promise((resolve) => globalThis.setTimeout(resolve, 0));
}

/**
 * Create a manual clock starting at `start`.
 * @param start - initial time in ms since the epoch (default 1,700,000,000,000)
 * @returns the clock and its timers
 * @example const t = manualTimers(); t.setTimeout(f, 100); await t.advance(100) // f has run
 */
export function manualTimers(start = 1_700_000_000_000): ManualTimers {
	let time = start;
	let nextId = 1;
	const queue: Entry[] = [];
	const take = (until: number): Entry | undefined => {
		let best = -1;
		for (let i = 0; i < queue.length; i++) {
			const e = queue[i]!;
			if (e.due > until) continue;
			const b = queue[best];
			if (!b || e.due < b.due || (e.due === b.due && e.id < b.id)) best = i;
		}
		return best < 0 ? undefined : queue.splice(best, 1)[0];
	};
	return {
		now: () => time,
		monotonic: () => time - start,
		setTimeout(fn: () => void, ms: number): TimerHandle {
			const id = nextId++;
			queue.push({ id, due: time + Math.max(0, ms), fn });
			return id;
		},
		clearTimeout(handle: TimerHandle): void {
			const i = queue.findIndex((e) => e.id === handle);
			if (i >= 0) queue.splice(i, 1);
		},
		async advance(ms: number): Promise<void> {
			const until = time + ms;
			await macrotask();
			for (let e = take(until); e; e = take(until)) {
				time = Math.max(time, e.due);
				e.fn();
				await macrotask();
			}
			time = until;
			await macrotask();
		},
		flush: macrotask,
		pending: () => queue.length,
		nextDue: () => (queue.length ? Math.min(...queue.map((e) => e.due)) : undefined)
	};
}
