/**
 * Time as a seam for the network layer: every module here takes its timers and clock as
 * parameters (with these defaults), so retries, backoff and expiry can be tested
 * deterministically with {@link manualTimers} instead of waiting (STYLE.md habit 1).
 */
import { AbortError } from '../core/errors.ts';

/** An opaque timer handle, as returned by `setTimeout`. */
export type TimerHandle = unknown;

/** The two timer functions the network layer uses. */
export interface Timers {
	/** Run `fn` once after `ms` milliseconds; returns a handle for {@link Timers.clearTimeout}. */
	setTimeout(fn: () => void, ms: number): TimerHandle;
	/** Cancel a timer; a handle that already fired or was cleared is ignored. */
	clearTimeout(handle: TimerHandle): void;
}

/** The runtime's own timers (browser or Node). */
export const systemTimers: Timers = {
	setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
	clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>)
};

/** A monotonic clock in milliseconds (for durations such as latency; never for dates). */
export type Monotonic = () => number;

/** `performance.now()`, present in browsers and Node. */
export const systemMonotonic: Monotonic = () => globalThis.performance.now();

/**
 * Throw {@link AbortError} if `signal` has aborted.
 * @param signal - the caller's signal, if any
 * @param what - the operation, for the error sentence
 * @throws {AbortError} when aborted
 */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
	if (signal?.aborted) throw new AbortError(what);
}

/**
 * Resolve after `ms` milliseconds, or reject with {@link AbortError} as soon as `signal` aborts.
 * @param ms - the delay
 * @param opts - timers to use and an optional signal
 * @returns a promise of nothing
 * @throws {AbortError} when aborted (before or during the wait)
 */
export function sleep(ms: number, opts: { timers?: Timers; signal?: AbortSignal } = {}): Promise<void> {
	const timers = opts.timers ?? systemTimers;
	const { signal } = opts;
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(new AbortError('The wait'));
			return;
		}
		const onAbort = (): void => {
			timers.clearTimeout(handle);
			reject(new AbortError('The wait'));
		};
		const handle = timers.setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

/**
 * A signal that aborts when `parent` aborts or after `ms` milliseconds, whichever comes first;
 * `dispose()` releases the timer and the listener once the operation is over.
 * @param ms - the time limit
 * @param parent - the caller's signal, if any
 * @param timers - timers to use
 * @returns the combined signal, whether the time limit fired, and a disposer
 */
export function deadline(
	ms: number,
	parent: AbortSignal | undefined,
	timers: Timers = systemTimers
): { signal: AbortSignal; timedOut: () => boolean; dispose: () => void } {
	const controller = new AbortController();
	let expired = false;
	const handle = timers.setTimeout(() => {
		expired = true;
		controller.abort();
	}, ms);
	const onAbort = (): void => controller.abort();
	if (parent?.aborted) controller.abort();
	else parent?.addEventListener('abort', onAbort, { once: true });
	return {
		signal: controller.signal,
		timedOut: () => expired,
		dispose: () => {
			timers.clearTimeout(handle);
			parent?.removeEventListener('abort', onAbort);
		}
	};
}
