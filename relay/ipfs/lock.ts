/**
 * A small readers–writer lock. Uploads and pin requests take the read side while they write blocks
 * and pin them; the expiry sweep takes the write side around unpinning and garbage collection, so
 * GC can never delete a block that was just written but is not pinned yet. Writers are preferred:
 * once a writer waits, new readers queue behind it, so a steady stream of uploads cannot starve GC.
 */

/** Releases a held lock; calling it twice is harmless. */
export type Release = () => void;

/** A readers–writer lock with writer preference. */
export class RwLock {
	#readers = 0;
	#writer = false;
	readonly #waitingWriters: Array<() => void> = [];
	readonly #waitingReaders: Array<() => void> = [];

	/**
	 * Wait for shared access.
	 * @returns a function that releases it
	 */
	async read(): Promise<Release> {
		if (this.#writer || this.#waitingWriters.length > 0) {
			await new Promise<void>((resolve) => this.#waitingReaders.push(resolve));
		} else {
			this.#readers++;
		}
		return this.#once(() => {
			this.#readers--;
			this.#wake();
		});
	}

	/**
	 * Wait for exclusive access.
	 * @returns a function that releases it
	 */
	async write(): Promise<Release> {
		if (this.#writer || this.#readers > 0) {
			await new Promise<void>((resolve) => this.#waitingWriters.push(resolve));
		} else {
			this.#writer = true;
		}
		return this.#once(() => {
			this.#writer = false;
			this.#wake();
		});
	}

	/** Run `fn` holding the read side. */
	async withRead<T>(fn: () => Promise<T>): Promise<T> {
		const release = await this.read();
		try {
			return await fn();
		} finally {
			release();
		}
	}

	/** Run `fn` holding the write side. */
	async withWrite<T>(fn: () => Promise<T>): Promise<T> {
		const release = await this.write();
		try {
			return await fn();
		} finally {
			release();
		}
	}

	#once(fn: () => void): Release {
		let done = false;
		return () => {
			if (done) return;
			done = true;
			fn();
		};
	}

	/** Hand the lock to the next waiter: a writer first, else every waiting reader. */
	#wake(): void {
		if (this.#writer || this.#readers > 0) return;
		const writer = this.#waitingWriters.shift();
		if (writer !== undefined) {
			this.#writer = true;
			writer();
			return;
		}
		const readers = this.#waitingReaders.splice(0);
		this.#readers += readers.length;
		for (const reader of readers) reader();
	}
}
