/**
 * Messages between the page (key-crypto.ts) and the KDF worker (kdf.worker.ts). A file of its own
 * so the worker bundle does not pull in the code that starts workers.
 */
import type { IdentitySecrets } from '../core/identity.ts';
import type { KdfParams } from '../core/keystore.ts';

/** Request from the page to the KDF worker. */
export type KdfRequest =
	| { op: 'seal'; secrets: IdentitySecrets; passphrase: string; kdf?: KdfParams }
	| { op: 'open'; backup: string; passphrase: string };

/** Messages of the KDF worker: progress any number of times, then one result. */
export type KdfReply =
	| { kind: 'progress'; fraction: number }
	| { kind: 'sealed'; backup: string }
	| { kind: 'opened'; secrets: IdentitySecrets }
	| { kind: 'failed'; code: string | undefined; message: string; name: string };

/** The worker reports progress at most this often (ms), so the page does not redraw for nothing. */
export const PROGRESS_INTERVAL_MS = 100;
