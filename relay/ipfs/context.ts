/**
 * What the IPFS route handlers share: the node, its durable stores, the pin book, the GC lock and
 * the service's settings. Built once by createIpfsService; handlers ask only for this.
 */
import type { Helia } from '@helia/interface';
import type { CID } from 'multiformats/cid';
import type { Logger } from '../log.ts';
import type { RwLock } from './lock.ts';
import type { IpfsMetrics } from './metrics.ts';
import type { PeerRelays } from './peers.ts';
import type { PinBook } from './pins.ts';
import type { DurableFsBlockstore, DurableFsDatastore } from './store.ts';

/** Shared state of the IPFS routes. */
export interface IpfsContext {
	helia: Helia;
	blockstore: DurableFsBlockstore;
	datastore: DurableFsDatastore;
	pins: PinBook;
	/** Read side: uploads and pins in progress; write side: the expiry sweep and GC. */
	lock: RwLock;
	peers: PeerRelays;
	metrics: IpfsMetrics;
	log: Logger;
	now: () => number;
	retentionMs: number;
	maxUploadBytes: number;
	/** Aborted when the service stops. */
	closing: AbortSignal;
	/**
	 * Called once roots are durably pinned: replication to peers and the Kubo mirror hang here.
	 * @param roots - the roots just pinned or extended
	 * @param expires - their expiry
	 * @param origin - `upload` (a client sent the blocks) or `pin` (fetched on request)
	 */
	onPinned(roots: CID[], expires: number, origin: 'upload' | 'pin'): void;
}
