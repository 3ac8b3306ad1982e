/**
 * Every bound the IPFS half of the relay applies to input from the network, in one place so
 * docs/ipfs.md can list them and an operator can find them. Per-instance limits (quota, retention,
 * largest upload) come from {@link IpfsServiceOptions}; these are the fixed ones.
 */

/**
 * Largest block accepted in an upload or fetched from a peer. Bitswap implementations refuse
 * blocks over 2 MiB (the libp2p message cap), and @helia/trustless-gateway-client uses the same
 * 2,097,152 byte default, so a larger block could not travel anyway.
 */
export const MAX_BLOCK_BYTES = 2 * 1024 * 1024;

/** Largest CARv1 header (varint length prefix value). A header is roots + version: tiny. */
export const MAX_CAR_HEADER_BYTES = 64 * 1024;

/** Most roots one upload may name; each becomes one pin. */
export const MAX_CAR_ROOTS = 64;

/** Most blocks in one upload or one pinned DAG (bounds memory of the link bookkeeping). */
export const MAX_DAG_BLOCKS = 100_000;

/** Uploads parsed at the same time; beyond this the relay answers 503 (memory = this × upload cap). */
export const MAX_CONCURRENT_UPLOADS = 4;

/** Pin requests (`POST /api/v1/pin/<cid>`) fetching at the same time; beyond this, 503. */
export const MAX_CONCURRENT_PINS = 8;

/** Longest CID string accepted in a URL, checked before parsing (a sha2-512 CIDv1 is ~115 chars). */
export const MAX_CID_STRING_LENGTH = 256;

/** Longest request URL the IPFS routes parse. */
export const MAX_URL_LENGTH = 2048;

/** Time allowed to fetch one block from a peer relay's gateway. */
export const PEER_FETCH_TIMEOUT_MS = 5_000;

/** Default time a pin request may spend fetching its DAG (peers, bitswap). */
export const DEFAULT_PIN_TIMEOUT_MS = 30_000;

/** Longest `?timeout=` a pin request may ask for. */
export const MAX_PIN_TIMEOUT_MS = 120_000;

/** Time allowed for asking one peer relay to replicate a pin. */
export const REPLICATE_TIMEOUT_MS = 60_000;

/** Time allowed for one Kubo RPC call of the optional mirror. */
export const KUBO_TIMEOUT_MS = 60_000;

/** How often expired pins are removed and garbage collected. */
export const SWEEP_INTERVAL_MS = 10 * 60_000;

/** Most blocks one CAR response may carry before the stream is cut (dag-scope=all). */
export const MAX_CAR_EXPORT_BLOCKS = 200_000;

/** Most bytes of blocks one CAR response may carry before the stream is cut. */
export const MAX_CAR_EXPORT_BYTES = 1024 * 1024 * 1024;

/** Default pin retention (issue 3: "default 7 days"). */
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** Most libp2p connections kept open (other IPFS nodes exchanging blocks with the relay). */
export const MAX_LIBP2P_CONNECTIONS = 300;

/** Blocks written to disk in parallel during an upload. */
export const WRITE_CONCURRENCY = 16;
