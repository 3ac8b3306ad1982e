/**
 * A byte slot: one stored value that is read whole and replaced whole. The small state of the
 * messaging layer (prekey secrets, the contact list, a CLI's history) fits one value each, so one
 * seam serves memory, a file ({@link fileSlot} in slot-file.ts, for the CLI) and an IndexedDB key
 * (web app) alike. What goes in a slot is sealed first when it holds secrets (at-rest.ts).
 */
import type { StorageCallOptions } from './sessions.ts';

/** One value, read and replaced whole. */
export interface ByteSlot {
	/**
	 * The stored value.
	 * @returns the bytes, or undefined when nothing was written yet
	 */
	read(opts?: StorageCallOptions): Promise<Uint8Array | undefined>;
	/** Replace the value (atomically: a reader sees the old or the new one, never a mix). */
	write(bytes: Uint8Array, opts?: StorageCallOptions): Promise<void>;
}

/**
 * A slot in memory; values are copied in and out.
 * @returns the slot
 */
export function memorySlot(): ByteSlot & { readonly value: Uint8Array | undefined } {
	let value: Uint8Array | undefined;
	return {
		async read() {
			return value?.slice();
		},
		async write(bytes) {
			if (!(bytes instanceof Uint8Array)) throw new TypeError('a slot holds a Uint8Array');
			value = bytes.slice();
		},
		get value() {
			return value;
		}
	};
}
