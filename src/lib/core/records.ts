/**
 * Signed Gun records (docs/records.md). Everything Miaou writes to Gun lives under one soul
 * prefix and is ONE string per field: canonical JSON `{"b":body,"s":signature,"v":1}` where the
 * Ed25519 signature covers the soul, the key, the body and the Gun (HAM) state. One field per
 * record means Gun's per-field merge never mixes two versions; signing the state means an old
 * value cannot be replayed under a newer state to win the merge.
 *
 * `verifyRecord` is the single gate for data from the network: the relay runs it on every write
 * and clients run it on every read, so both accept exactly the same data (ARCHITECTURE.md
 * §Signed graph records). Only it produces a {@link VerifiedRecord}.
 *
 * Checks run cheapest first and bounds first (docs/records.md §8): type and size of the value
 * before any parsing, the soul and key shape, the state and clock, the JSON and the body's fields,
 * canonical form, the proof of work (one hash), and the signatures last.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CID } from 'multiformats/cid';
import { base32 } from 'multiformats/bases/base32';
import { concat, fromBase64url, toBase64url, utf8 } from './bytes.ts';
import { assertMaxUtf8, canonicalBytes, canonicalize, parseJson, type JsonValue } from './canonical.ts';
import { tweetnaclEd25519, type Ed25519, type SigningKeyPair } from './ed25519.ts';
import {
	BadSignatureError,
	CidError,
	FutureRecordError,
	MalformedError,
	MiaouError,
	NamespaceError,
	ProofOfWorkError,
	UnsupportedVersionError
} from './errors.ts';
import { idFromSigningKey, isMiaouId, signingKeyFromId, verifyPublicIdentity, type MiaouId } from './identity.ts';
import { MAX_POW_BITS, powBits as achievedPowBits, solvePow } from './pow.ts';
import { systemClock, type Clock } from './random.ts';
import {
	MAX_PREKEY_ID,
	signedPrekeyMessage,
	type IdentityKeys,
	type OneTimePrekey,
	type PrekeyBundle,
	type SignedPrekey
} from './x3dh.ts';
import { isSmallOrderX25519 } from './x25519.ts';
import { assertTrustLevel, type TrustStatement } from './trust.ts';

// ---------------------------------------------------------------------------------------------
// Limits and constants (docs/records.md §Limits)

/** Every Miaou soul starts with this; Gun's SEA owns souls starting `~` or containing `#`. */
export const SOUL_PREFIX = 'miaou/v1/';
/** Cap on the value string in UTF-8 bytes, checked before it is parsed. */
export const MAX_RECORD_BYTES = 16 * 1024;
/** A record whose state is more than this ahead of the verifier's clock is refused. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** Leading zero bits a `box` entry's proof of work needs by default (~65,000 hashes). */
export const DEFAULT_BOX_POW_BITS = 16;
/** Longest soul accepted, in UTF-16 code units, checked before the soul is split. */
export const MAX_SOUL_LENGTH = 512;
/** Longest key accepted, in UTF-16 code units. */
export const MAX_KEY_LENGTH = 256;
/** The value format version this code writes and reads (`"v"`). */
export const RECORD_VERSION = 1;
/** Display names: 1 … 64 code points. */
export const MAX_NAME_LENGTH = 64;
/** Profile `about` text, in code points. */
export const MAX_ABOUT_LENGTH = 500;
/** Trust `evidence` text, in code points. */
export const MAX_EVIDENCE_LENGTH = 500;
/** One-time prekeys a profile may publish at once. */
export const MAX_ONE_TIME_PREKEYS = 100;
/** Relay URLs in a `dir` entry. */
export const MAX_RELAYS = 16;
/** Length of one relay URL. */
export const MAX_RELAY_URL_LENGTH = 256;
/** Capabilities in a `dir` entry. */
export const MAX_CAPABILITIES = 32;
/** Direct-connection addresses (libp2p multiaddrs) in a `dir` entry (docs/net.md §Direct peers). */
export const MAX_P2P_ADDRS = 8;
/** Length of one such address. */
export const MAX_P2P_ADDR_LENGTH = 512;
/** Largest payload size a `box` entry may announce (64 MiB). */
export const MAX_BOX_SIZE = 64 * 1024 * 1024;
/** Longest CID string accepted, checked before it is parsed. */
export const MAX_CID_LENGTH = 128;

/** Domain separation: prefixes of every byte string Miaou signs or hashes here. */
export const RECORD_SIGNATURE_DOMAIN = 'miaou/v1/record\n';
export const BOX_POW_DOMAIN = 'miaou/v1/box-pow\n';

/** The record kinds of v1 and the one Gun key each uses (null: the key is an id). */
export const RECORD_KINDS = ['profile', 'dir', 'trust', 'box', 'name'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** Fixed keys of the kinds that hold one record per soul. */
export const PROFILE_KEY = 'card';
export const DIRECTORY_KEY = 'entry';

/** Relay URL schemes a `dir` entry may list. */
export const RELAY_PROTOCOLS: readonly string[] = ['http:', 'https:', 'ws:', 'wss:'];

/** Content codecs a `box` CID may use: raw, dag-pb, dag-cbor, dag-json (multicodec table). */
export const BOX_CID_CODECS: readonly number[] = [0x55, 0x70, 0x71, 0x0129];
const SHA2_256 = 0x12;

const CAPABILITY = /^[a-z0-9][a-z0-9._:-]{0,31}$/;
// libp2p peer ids as text: base58btc of an identity multihash (Ed25519: 52 characters).
const PEER_ID = /^[1-9A-HJ-NP-Za-km-z]{46,64}$/;
// Multiaddr text: a path of printable ASCII, no spaces (parsed further in net/p2p-directory.ts).
const MULTIADDR_TEXT = /^\/[\x21-\x7e]+$/;
const BASE64URL_32 = /^[A-Za-z0-9_-]{43}$/;
const BASE64URL_16 = /^[A-Za-z0-9_-]{22}$/;
// C0/C1 controls, line/paragraph separators and bidi overrides/isolates: they let a name
// impersonate another on screen (Unicode TR36 §2.2) or break a one-line display.
const FORBIDDEN_IN_NAME = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;
// Free text (about, evidence) may hold line breaks and tabs, nothing else from those sets.
const FORBIDDEN_IN_TEXT = /(?![\n\t])\p{Cc}|[\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

// ---------------------------------------------------------------------------------------------
// Bodies

/** A signed X25519 prekey (X3DH SPK) as published: `sig` signs x3dh.ts `signedPrekeyMessage`. */
export interface ProfileSignedPrekey {
	id: number;
	key: string;
	sig: string;
}
/** A one-time X25519 prekey (X3DH OPK) as published. */
export interface ProfileOneTimePrekey {
	id: number;
	key: string;
}
/** `profile` (key `card`): what others need to start a conversation. Keys in base64url. */
export interface ProfileBody {
	name: string;
	agreementKey: string;
	agreementSig: string;
	signedPrekey: ProfileSignedPrekey;
	oneTimePrekeys: ProfileOneTimePrekey[];
	about?: string;
}
/** `dir` (key `entry`): where a peer can be reached. */
export interface DirectoryBody {
	relays: string[];
	capabilities: string[];
	lastSeen: number;
	/**
	 * Where the author's browser takes direct (WebRTC) connections: its libp2p peer id and its
	 * circuit addresses on relays. Signed here, so a peer that answers with another id is not them
	 * (docs/net.md §Direct peers).
	 */
	p2p?: DirectoryP2p;
}
/** The direct-connection part of a `dir` entry. */
export interface DirectoryP2p {
	/** libp2p peer id, base58btc (`12D3KooW…`). */
	peer: string;
	/** Multiaddrs ending in `/p2p/<peer>`; parsed and checked by the net layer (net/p2p-directory.ts). */
	addrs: string[];
}
/** `trust` (key: the target's id): the issuer's opinion of the target. */
export interface TrustBody {
	level: number;
	evidence?: string;
	time: number;
}
/** `box` (key: entry id): a sealed pointer to an encrypted payload, signed by a one-time key. */
export interface BoxBody {
	cid: string;
	size: number;
	otk: string;
	pow: number;
}
/** `name` (soul: normalized name, key: the id): lets people find an id by its display name. */
export interface NameBody {
	id: MiaouId;
	name: string;
}
export interface RecordBodies {
	profile: ProfileBody;
	dir: DirectoryBody;
	trust: TrustBody;
	box: BoxBody;
	name: NameBody;
}
/** What a signer supplies: for `box`, `otk` comes from the signer and `pow` from the work. */
export type SignableBody<K extends RecordKind> = K extends 'box' ? Omit<BoxBody, 'pow' | 'otk'> : RecordBodies[K];

declare const verified: unique symbol;
/**
 * A record that passed {@link verifyRecord}. The brand makes it impossible to build one by hand
 * in typed code (STYLE.md habit 4). `author` is the id that signed it for profile, dir, trust and
 * name records, and the mailbox id for a box (whose signer is an anonymous one-time key).
 */
export interface VerifiedRecord<K extends RecordKind = RecordKind> {
	readonly [verified]: true;
	kind: K;
	soul: string;
	key: string;
	state: number;
	signer: Uint8Array;
	author: string;
	body: RecordBodies[K];
	value: string;
}
/** One Gun field as it arrives: nothing is trusted yet. */
export interface RecordInput {
	soul: unknown;
	key: unknown;
	value: unknown;
	state: unknown;
}
/** Options of {@link verifyRecord}: implementation, clock and limits. */
export interface VerifyOptions {
	ed25519?: Ed25519;
	now?: Clock;
	maxSkewMs?: number;
	powBits?: number;
	maxBytes?: number;
}

// ---------------------------------------------------------------------------------------------
// Souls, keys and names

/**
 * Normalize a display name for the `name` index (docs/records.md §Name normalization): NFKC,
 * format characters (Cf) removed, white space, controls, `/` and `#` turned into single spaces,
 * trimmed, lower-cased (Unicode default full case mapping, as ECMAScript's `toLowerCase`), NFKC
 * again. Searching runs the same function on the query, so "Zoë  Li" finds "zoë li".
 *
 * @param name - a display name or a search query
 * @returns the normalized form, 1 … {@link MAX_NAME_LENGTH} code points
 * @throws {MalformedError} when nothing is left or the result is too long
 * @throws {TypeError} when `name` is not a string
 */
export function normalizeName(name: string): string {
	if (typeof name !== 'string') throw new TypeError('name must be a string');
	// NFKC can expand a character up to 18-fold; bound the input before normalizing it.
	if (name.length > 4 * MAX_NAME_LENGTH) throw new MalformedError('Name', `longer than ${MAX_NAME_LENGTH} characters`);
	const step = (s: string): string =>
		s
			.normalize('NFKC')
			.replace(/\p{Cf}/gu, '')
			.replace(/[\s\p{Cc}\p{Cs}/#]+/gu, ' ')
			.trim()
			.toLowerCase()
			.normalize('NFKC');
	// Case mapping can, for a handful of characters, produce text that the first steps would
	// change again; iterate to a fixed point (twice suffices in practice; bounded regardless).
	let out = step(name);
	for (let i = 0; i < 4; i++) {
		const next = step(out);
		if (next === out) break;
		out = next;
	}
	const length = [...out].length;
	if (length === 0) throw new MalformedError('Name', 'nothing left after normalization');
	if (length > MAX_NAME_LENGTH) throw new MalformedError('Name', `longer than ${MAX_NAME_LENGTH} characters`);
	return out;
}

/** True for a mailbox id: 32 bytes as canonical base64url (43 characters). */
export function isMailboxId(value: unknown): value is string {
	return typeof value === 'string' && BASE64URL_32.test(value) && isCanonicalBase64url(value);
}

/** True for a box entry id: 16 bytes as canonical base64url (22 characters). */
export function isEntryId(value: unknown): value is string {
	return typeof value === 'string' && BASE64URL_16.test(value) && isCanonicalBase64url(value);
}

function isCanonicalBase64url(text: string): boolean {
	try {
		fromBase64url(text);
		return true;
	} catch {
		return false;
	}
}

function isNormalizedName(value: string): boolean {
	try {
		return normalizeName(value) === value;
	} catch {
		return false;
	}
}

function isKind(value: string): value is RecordKind {
	return (RECORD_KINDS as readonly string[]).includes(value);
}

/**
 * Split and check a soul: `miaou/v1/<kind>/<author>`, where `<author>` is an id (profile, dir,
 * trust), a mailbox id (box) or a normalized name (name). v1 kinds have no further segments.
 * @param soul - a Gun soul
 * @returns its kind, author segment and (always empty in v1) remaining path
 * @throws {NamespaceError} when the soul is not a well-formed Miaou soul
 */
export function parseSoul(soul: string): { kind: RecordKind; author: string; path: string[] } {
	if (typeof soul !== 'string') throw new NamespaceError('the soul is not a string');
	if (soul.length > MAX_SOUL_LENGTH) throw new NamespaceError(`the soul is longer than ${MAX_SOUL_LENGTH} characters`);
	if (!soul.startsWith(SOUL_PREFIX)) throw new NamespaceError(`the soul does not start with ${SOUL_PREFIX}`);
	// `#` marks SEA's content-addressed souls; a Miaou soul must never be mistaken for one.
	if (soul.includes('#')) throw new NamespaceError('the soul contains #');
	const [kind, author, ...path] = soul.slice(SOUL_PREFIX.length).split('/');
	if (kind === undefined || !isKind(kind)) throw new NamespaceError(`unknown record kind ${JSON.stringify(kind)}`);
	if (author === undefined || author === '') throw new NamespaceError('the soul has no author segment');
	if (path.length > 0) throw new NamespaceError(`a ${kind} soul has no segments after the author`);
	const ok = kind === 'box' ? isMailboxId(author) : kind === 'name' ? isNormalizedName(author) : isMiaouId(author);
	if (!ok) {
		const expected = kind === 'box' ? 'a mailbox id' : kind === 'name' ? 'a normalized name' : 'a Miaou id';
		throw new NamespaceError(`the ${kind} soul's author segment is not ${expected}`);
	}
	return { kind, author, path };
}

/**
 * True when `soul` is a well-formed Miaou soul (see {@link parseSoul}).
 * @param soul - anything
 * @returns whether {@link parseSoul} would accept it
 */
export function isMiaouSoul(soul: unknown): boolean {
	if (typeof soul !== 'string') return false;
	try {
		parseSoul(soul);
		return true;
	} catch {
		return false;
	}
}

/**
 * Build the soul of a record.
 * @param kind - the record kind
 * @param author - an id, a mailbox id (box) or a normalized name (name; see {@link normalizeName})
 * @param path - further segments; none in v1
 * @returns the soul
 * @throws {NamespaceError} when the result would not be a well-formed soul
 * @example soulFor('profile', id) // 'miaou/v1/profile/did:key:z6Mk…'
 */
export function soulFor(kind: RecordKind, author: string, ...path: string[]): string {
	const soul = [SOUL_PREFIX + kind, author, ...path].join('/');
	parseSoul(soul);
	return soul;
}

function checkKey(kind: RecordKind, author: string, key: unknown): string {
	if (typeof key !== 'string') throw new NamespaceError('the key is not a string');
	if (key.length > MAX_KEY_LENGTH) throw new NamespaceError(`the key is longer than ${MAX_KEY_LENGTH} characters`);
	switch (kind) {
		case 'profile':
			if (key !== PROFILE_KEY) throw new NamespaceError(`a profile's key must be ${PROFILE_KEY}`);
			break;
		case 'dir':
			if (key !== DIRECTORY_KEY) throw new NamespaceError(`a directory entry's key must be ${DIRECTORY_KEY}`);
			break;
		case 'trust':
			if (!isMiaouId(key)) throw new NamespaceError("a trust record's key must be the target's id");
			if (key === author) throw new NamespaceError('a trust record cannot be about its issuer');
			break;
		case 'name':
			if (!isMiaouId(key)) throw new NamespaceError("a name record's key must be the named id");
			break;
		case 'box':
			if (!isEntryId(key)) throw new NamespaceError("a box entry's key must be a 16-byte base64url entry id");
			break;
	}
	return key;
}

function checkState(state: unknown): number {
	// Signed as a JSON integer; see docs/records.md §State for why Gun's fractional states are refused.
	if (typeof state !== 'number' || !Number.isSafeInteger(state) || state < 0)
		throw new MalformedError('Record state', 'not an integer number of milliseconds ≥ 0');
	return state;
}

// ---------------------------------------------------------------------------------------------
// Field checks

type Fields = Record<string, JsonValue>;

function object(value: unknown, what: string, required: readonly string[], optional: readonly string[] = []): Fields {
	if (typeof value !== 'object' || value === null || Array.isArray(value))
		throw new MalformedError(what, 'not a JSON object');
	for (const key of Object.keys(value)) {
		if (!required.includes(key) && !optional.includes(key)) throw new MalformedError(what, `unknown field ${key}`);
	}
	for (const key of required) if (!(key in value)) throw new MalformedError(what, `missing field ${key}`);
	return value as Fields;
}

function integer(value: unknown, what: string, min: number, max: number): number {
	if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
		throw new MalformedError(what, `not an integer from ${min} to ${max}`);
	return value;
}

function text(value: unknown, what: string, max: number, forbidden: RegExp): string {
	if (typeof value !== 'string') throw new MalformedError(what, 'not a string');
	if (value.length > 2 * max || [...value].length > max)
		throw new MalformedError(what, `longer than ${max} characters`);
	if (forbidden.test(value)) throw new MalformedError(what, 'contains a control or bidi-override character');
	return value;
}

function displayName(value: unknown, what: string): string {
	const name = text(value, what, MAX_NAME_LENGTH, FORBIDDEN_IN_NAME);
	if (name.length === 0) throw new MalformedError(what, 'empty');
	if (name !== name.trim()) throw new MalformedError(what, 'starts or ends with white space');
	if (name !== name.normalize('NFC')) throw new MalformedError(what, 'not in Unicode NFC');
	return name;
}

function base64urlBytes(value: unknown, what: string, length: number): string {
	if (typeof value !== 'string' || value.length !== Math.ceil((length * 4) / 3))
		throw new MalformedError(what, `not ${length} bytes of base64url`);
	fromBase64url(value); // refuses foreign characters and stray bits: one text per byte string
	return value;
}

// An X25519 prekey of small order would make the DH output all zeros (RFC 7748 §6.1); refuse it
// at publication instead of at first contact.
function prekey(value: unknown, what: string): string {
	const key = base64urlBytes(value, what, 32);
	if (isSmallOrderX25519(fromBase64url(key))) throw new MalformedError(what, 'a small-order X25519 point');
	return key;
}

function stringList(value: unknown, what: string, max: number): string[] {
	if (!Array.isArray(value)) throw new MalformedError(what, 'not a list');
	if (value.length > max) throw new MalformedError(what, `more than ${max} entries`);
	if (new Set(value).size !== value.length) throw new MalformedError(what, 'duplicate entries');
	return value as string[];
}

function relayUrl(value: unknown): string {
	if (typeof value !== 'string' || value.length > MAX_RELAY_URL_LENGTH)
		throw new MalformedError('Relay URL', `not a string of at most ${MAX_RELAY_URL_LENGTH} characters`);
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new MalformedError('Relay URL', 'does not parse');
	}
	if (!RELAY_PROTOCOLS.includes(url.protocol)) throw new MalformedError('Relay URL', `scheme ${url.protocol} refused`);
	if (url.username || url.password) throw new MalformedError('Relay URL', 'carries credentials');
	if (url.hash || value.includes('#')) throw new MalformedError('Relay URL', 'has a fragment');
	if (!url.hostname) throw new MalformedError('Relay URL', 'has no host');
	return value;
}

/**
 * Check a CID string for a `box` entry: canonical base32 CIDv1, codec raw/dag-pb/dag-cbor/
 * dag-json, SHA2-256 multihash. Identity multihashes are refused (they inline content).
 * @param value - untrusted input
 * @returns the same string
 * @throws {CidError} when it is not such a CID
 */
export function checkBoxCid(value: unknown): string {
	if (typeof value !== 'string' || value.length === 0 || value.length > MAX_CID_LENGTH)
		throw new CidError(`not a string of 1 to ${MAX_CID_LENGTH} characters`);
	let cid: CID;
	try {
		cid = CID.parse(value);
	} catch {
		throw new CidError('does not parse');
	}
	if (cid.version !== 1) throw new CidError('not a CIDv1');
	// One text per CID: lower-case base32, the CIDv1 default (multibase prefix `b`).
	if (base32.encode(cid.bytes) !== value) throw new CidError('not in canonical base32 form');
	if (!BOX_CID_CODECS.includes(cid.code)) throw new CidError(`codec 0x${cid.code.toString(16)} is not allowed`);
	if (cid.multihash.code !== SHA2_256 || cid.multihash.digest.length !== 32)
		throw new CidError('the multihash is not a 32-byte SHA2-256');
	return value;
}

// One parser per kind: refuses unknown fields and returns a fresh object holding only the known
// ones, so what the verifier returns is exactly what was signed.
const bodyParsers: { [K in RecordKind]: (raw: unknown) => RecordBodies[K] } = {
	profile(raw) {
		const f = object(
			raw,
			'Profile',
			['name', 'agreementKey', 'agreementSig', 'signedPrekey', 'oneTimePrekeys'],
			['about']
		);
		const spk = object(f.signedPrekey, 'Signed prekey', ['id', 'key', 'sig']);
		const list = f.oneTimePrekeys;
		if (!Array.isArray(list)) throw new MalformedError('One-time prekeys', 'not a list');
		if (list.length > MAX_ONE_TIME_PREKEYS)
			throw new MalformedError('One-time prekeys', `more than ${MAX_ONE_TIME_PREKEYS} entries`);
		const oneTimePrekeys = list.map((item) => {
			const p = object(item, 'One-time prekey', ['id', 'key']);
			return {
				id: integer(p.id, 'One-time prekey id', 0, MAX_PREKEY_ID),
				key: prekey(p.key, 'One-time prekey')
			};
		});
		if (new Set(oneTimePrekeys.map((p) => p.id)).size !== oneTimePrekeys.length)
			throw new MalformedError('One-time prekeys', 'duplicate ids');
		const body: ProfileBody = {
			name: displayName(f.name, 'Profile name'),
			agreementKey: base64urlBytes(f.agreementKey, 'Agreement key', 32),
			agreementSig: base64urlBytes(f.agreementSig, 'Agreement key signature', 64),
			signedPrekey: {
				id: integer(spk.id, 'Signed prekey id', 0, MAX_PREKEY_ID),
				key: prekey(spk.key, 'Signed prekey'),
				sig: base64urlBytes(spk.sig, 'Signed prekey signature', 64)
			},
			oneTimePrekeys
		};
		if (f.about !== undefined) body.about = text(f.about, 'Profile about text', MAX_ABOUT_LENGTH, FORBIDDEN_IN_TEXT);
		return body;
	},
	dir(raw) {
		const f = object(raw, 'Directory entry', ['relays', 'capabilities', 'lastSeen'], ['p2p']);
		const relays = stringList(f.relays, 'Relay list', MAX_RELAYS).map(relayUrl);
		const capabilities = stringList(f.capabilities, 'Capabilities', MAX_CAPABILITIES).map((c) => {
			if (typeof c !== 'string' || !CAPABILITY.test(c))
				throw new MalformedError('Capability', 'not 1 to 32 characters of a-z 0-9 . _ : -');
			return c;
		});
		const body: DirectoryBody = {
			relays,
			capabilities,
			lastSeen: integer(f.lastSeen, 'Last seen time', 0, Number.MAX_SAFE_INTEGER)
		};
		if (f.p2p !== undefined) {
			const p = object(f.p2p, 'Direct-connection entry', ['peer', 'addrs']);
			if (typeof p.peer !== 'string' || !PEER_ID.test(p.peer))
				throw new MalformedError('Peer id', 'not a base58btc libp2p peer id');
			const addrs = stringList(p.addrs, 'Direct-connection addresses', MAX_P2P_ADDRS).map((a) => {
				if (typeof a !== 'string' || a.length > MAX_P2P_ADDR_LENGTH || !MULTIADDR_TEXT.test(a))
					throw new MalformedError(
						'Direct-connection address',
						`not a multiaddr of at most ${MAX_P2P_ADDR_LENGTH} characters`
					);
				if (!a.endsWith(`/p2p/${p.peer}`))
					throw new MalformedError('Direct-connection address', "it does not end with the entry's peer id");
				return a;
			});
			body.p2p = { peer: p.peer, addrs };
		}
		return body;
	},
	trust(raw) {
		const f = object(raw, 'Trust statement', ['level', 'time'], ['evidence']);
		const body: TrustBody = {
			level: assertTrustLevel(f.level),
			time: integer(f.time, 'Trust statement time', 0, Number.MAX_SAFE_INTEGER)
		};
		if (f.evidence !== undefined) body.evidence = text(f.evidence, 'Evidence', MAX_EVIDENCE_LENGTH, FORBIDDEN_IN_TEXT);
		return body;
	},
	box(raw) {
		const f = object(raw, 'Box entry', ['cid', 'size', 'otk', 'pow']);
		return {
			cid: checkBoxCid(f.cid),
			size: integer(f.size, 'Box payload size', 0, MAX_BOX_SIZE),
			otk: base64urlBytes(f.otk, 'One-time signing key', 32),
			pow: integer(f.pow, 'Proof-of-work nonce', 0, Number.MAX_SAFE_INTEGER)
		};
	},
	name(raw) {
		const f = object(raw, 'Name entry', ['id', 'name']);
		signingKeyFromId(f.id as string); // InvalidIdError naming the layer that failed
		return { id: f.id as MiaouId, name: displayName(f.name, 'Name') };
	}
};

// ---------------------------------------------------------------------------------------------
// Signed byte strings

/**
 * The bytes a record signature covers: the domain prefix, then the canonical JSON of
 * `[soul, key, body, state]` (docs/records.md §Signature).
 * @returns UTF-8 bytes to sign
 * @throws {MalformedError} when the body is outside the canonical JSON subset
 */
export function recordSigningMessage(soul: string, key: string, body: unknown, state: number): Uint8Array {
	return concat(utf8(RECORD_SIGNATURE_DOMAIN), canonicalBytes([soul, key, body, state]));
}

/**
 * The proof-of-work challenge of a box entry: SHA-256 of the domain prefix and the canonical JSON
 * of `[soul, key, body without pow, state]`, so a nonce is valid for one entry only.
 * @param body - the box body without its `pow` field (any `pow` present is ignored)
 * @returns 32 bytes
 */
export function boxPowChallenge(soul: string, key: string, body: Omit<BoxBody, 'pow'>, state: number): Uint8Array {
	const { cid, size, otk } = body;
	return sha256(concat(utf8(BOX_POW_DOMAIN), canonicalBytes([soul, key, { cid, otk, size }, state])));
}

// ---------------------------------------------------------------------------------------------
// Sign and verify

/** Arguments of {@link signRecord}. */
export interface SignRecordArgs<K extends RecordKind> {
	/** The author segment of the soul: the signer's id, a mailbox id (box) or a normalized name (name). */
	author: string;
	key: string;
	body: SignableBody<K>;
	/** The Gun state the record will be put with (integer ms); it is signed. */
	state: number;
	/** The id's key pair, or for `box` a fresh one-time key pair. */
	signer: SigningKeyPair;
	ed25519?: Ed25519;
	/** Proof-of-work difficulty for `box` (default {@link DEFAULT_BOX_POW_BITS}). */
	powBits?: number;
	signal?: AbortSignal;
}

/** A record ready for Gun: put `value` at `soul`/`key` with exactly this `state`. */
export interface SignedRecord {
	soul: string;
	key: string;
	value: string;
	state: number;
}

/**
 * Sign a record (and, for `box`, solve its proof of work). The result is run through
 * {@link verifyRecord} before it is returned, so nothing is emitted that a relay would refuse
 * (apart from the clock, which is the relay's).
 *
 * @param kind - the record kind
 * @param args - soul author, key, body, state, signer; see {@link SignRecordArgs}
 * @returns soul, key, value and state to put into Gun
 * @throws {NamespaceError} on a bad author or key, or a signer that does not own the soul
 * @throws {MalformedError | TrustLevelError | CidError} on a body the verifier would refuse
 * @throws {TooLargeError} when the value would exceed {@link MAX_RECORD_BYTES}
 * @throws {AbortError} when `signal` aborts the proof of work
 * @example await signRecord('trust', { author: me.id, key: bob, body: { level: 50, time }, state: time, signer: me.signing })
 */
export async function signRecord<K extends RecordKind>(kind: K, args: SignRecordArgs<K>): Promise<SignedRecord> {
	const ed25519 = args.ed25519 ?? tweetnaclEd25519;
	const soul = soulFor(kind, args.author);
	const key = checkKey(kind, args.author, args.key);
	const state = checkState(args.state);
	const signerId = idFromSigningKey(args.signer.publicKey);
	let body: unknown = args.body;
	if (kind === 'box') {
		const bits = args.powBits ?? DEFAULT_BOX_POW_BITS;
		const draft = { ...(args.body as SignableBody<'box'>), otk: toBase64url(args.signer.publicKey) };
		bodyParsers.box({ ...draft, pow: 0 }); // refuse a bad CID or size before spending the work
		const challenge = boxPowChallenge(soul, key, draft, state);
		body = { ...draft, pow: await solvePow(challenge, bits, args.signal ? { signal: args.signal } : {}) };
	} else {
		const owner = kind === 'name' ? key : args.author;
		if (owner !== signerId) throw new NamespaceError(`the ${kind} record belongs to ${owner}, not to the signing key`);
	}
	body = bodyParsers[kind](body);
	const signature = await ed25519.sign(recordSigningMessage(soul, key, body, state), args.signer.secretKey);
	const value = canonicalize({ b: body, s: toBase64url(signature), v: RECORD_VERSION });
	assertMaxUtf8(value, MAX_RECORD_BYTES, 'Record value');
	const opts: VerifyOptions = { ed25519, now: () => Number.MAX_SAFE_INTEGER };
	if (args.powBits !== undefined) opts.powBits = args.powBits;
	await verifyRecord({ soul, key, value, state }, opts);
	return { soul, key, value, state };
}

/**
 * Verify one Gun field against the Miaou rules (docs/records.md §Verification, in that order).
 *
 * @param input - soul, key, value and state exactly as Gun delivered them
 * @param opts - Ed25519 implementation (default tweetnacl), clock, skew, PoW bits, size cap
 * @returns the typed, verified record
 * @throws {TooLargeError} when the value is over `maxBytes` (before anything is parsed)
 * @throws {MalformedError} on a non-string value, bad JSON, a non-canonical text, a bad state or body
 * @throws {NamespaceError} on a soul or key outside the Miaou namespace or not matching the kind
 * @throws {UnsupportedVersionError} on a value version other than 1
 * @throws {FutureRecordError} on a state or body time beyond the clock skew
 * @throws {TrustLevelError | CidError | InvalidIdError} on those fields
 * @throws {ProofOfWorkError} on a box entry without enough work
 * @throws {BadSignatureError} when a signature does not verify
 */
export async function verifyRecord(input: RecordInput, opts: VerifyOptions = {}): Promise<VerifiedRecord> {
	if (typeof input !== 'object' || input === null) throw new MalformedError('Record', 'not an object');
	const maxBytes = opts.maxBytes ?? MAX_RECORD_BYTES;
	const maxSkewMs = opts.maxSkewMs ?? MAX_CLOCK_SKEW_MS;
	const requiredBits = opts.powBits ?? DEFAULT_BOX_POW_BITS;
	if (!Number.isInteger(requiredBits) || requiredBits < 0 || requiredBits > MAX_POW_BITS)
		throw new RangeError(`powBits must be an integer from 0 to ${MAX_POW_BITS}`);
	const { value } = input;

	// §8 step 1: bounds before parsing.
	if (typeof value !== 'string') throw new MalformedError('Record value', `a ${typeof value}, not a string`);
	assertMaxUtf8(value, maxBytes, 'Record value');
	// Step 2: namespace.
	if (typeof input.soul !== 'string') throw new NamespaceError('the soul is not a string');
	const soul = input.soul;
	const { kind, author } = parseSoul(soul);
	const key = checkKey(kind, author, input.key);
	// Step 3: state and clock.
	const state = checkState(input.state);
	const now = (opts.now ?? systemClock)();
	if (state - now > maxSkewMs) throw new FutureRecordError(state - now, maxSkewMs);
	// Steps 4–5: envelope, body, canonical form. Numbers are let through the parse so that each field reports its own
	// error (a level of 1.5 is a TrustLevelError); canonical form is checked once the body is known.
	const envelope = parseJson(value, { maxBytes, what: 'Record value', allowFloats: true });
	if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope))
		throw new MalformedError('Record value', 'not a JSON object');
	const version = (envelope as Fields).v;
	if (version !== RECORD_VERSION) {
		if (typeof version === 'number' || typeof version === 'string')
			throw new UnsupportedVersionError('Record', version);
		throw new MalformedError('Record value', 'no version');
	}
	const fields = object(envelope, 'Record value', ['b', 's', 'v']);
	const signature = fromBase64url(base64urlBytes(fields.s, 'Record signature', 64));
	const body = bodyParsers[kind](fields.b);
	if (canonicalize(envelope) !== value) throw new MalformedError('Record value', 'not in canonical form (RFC 8785)');
	// Step 6: body times against the same clock.
	const bodyTime =
		kind === 'dir' ? (body as DirectoryBody).lastSeen : kind === 'trust' ? (body as TrustBody).time : undefined;
	if (bodyTime !== undefined && bodyTime - now > maxSkewMs) throw new FutureRecordError(bodyTime - now, maxSkewMs);
	// Who signs: the soul's id, the named id (key), or the box's one-time key.
	let signer: Uint8Array;
	let owner = author;
	if (kind === 'box') {
		const box = body as BoxBody;
		signer = fromBase64url(box.otk);
		// Step 8: proof of work, one hash, before the costlier signature check.
		const got = achievedPowBits(boxPowChallenge(soul, key, box, state), box.pow);
		if (got < requiredBits) throw new ProofOfWorkError(requiredBits, got);
	} else if (kind === 'name') {
		const entry = body as NameBody; // step 7
		if (entry.id !== key) throw new NamespaceError("the name entry's id differs from its key");
		if (normalizeName(entry.name) !== author)
			throw new NamespaceError('the name does not normalize to the soul it is filed under');
		owner = key;
		signer = signingKeyFromId(key);
	} else {
		signer = signingKeyFromId(author);
	}
	// Step 9: signatures.
	const ed25519 = opts.ed25519 ?? tweetnaclEd25519;
	if (!(await ed25519.verify(signature, recordSigningMessage(soul, key, body, state), signer)))
		throw new BadSignatureError('the record');
	if (kind === 'profile') await verifyProfileKeys(author as MiaouId, body as ProfileBody, signer, ed25519);
	return Object.freeze({ kind, soul, key, state, signer, author: owner, body, value }) as unknown as VerifiedRecord;
}

async function verifyProfileKeys(id: MiaouId, body: ProfileBody, signer: Uint8Array, ed25519: Ed25519): Promise<void> {
	// identity.ts's check: signature over the agreement key, and the key not of small order.
	const identity = {
		id,
		signingKey: signer,
		agreementKey: fromBase64url(body.agreementKey),
		agreementSignature: fromBase64url(body.agreementSig)
	};
	if (!(await verifyPublicIdentity(identity, ed25519))) throw new BadSignatureError("the profile's agreement key");
	const spk = body.signedPrekey;
	const message = signedPrekeyMessage(spk.id, fromBase64url(spk.key));
	if (!(await ed25519.verify(fromBase64url(spk.sig), message, signer)))
		throw new BadSignatureError("the profile's signed prekey");
}

/**
 * {@link verifyRecord} that never throws, for the relay's write path and for logging.
 * @param input - as for {@link verifyRecord}
 * @param opts - as for {@link verifyRecord}
 * @returns the verified record, or the named error explaining the refusal
 */
export async function checkRecord(
	input: RecordInput,
	opts?: VerifyOptions
): Promise<{ ok: true; record: VerifiedRecord } | { ok: false; error: MiaouError }> {
	try {
		return { ok: true, record: await verifyRecord(input, opts) };
	} catch (error) {
		if (error instanceof MiaouError) return { ok: false, error };
		return { ok: false, error: new MalformedError('Record', error instanceof Error ? error.message : String(error)) };
	}
}

/**
 * The trust statement a verified `trust` record makes, for {@link computeTrust}.
 * @param record - a verified trust record
 * @returns issuer (the soul's id), target (the key), level, time and evidence
 */
export function trustStatementOf(record: VerifiedRecord<'trust'>): TrustStatement {
	const { level, time, evidence } = record.body;
	const statement: TrustStatement = { issuer: record.author, target: record.key, level, time };
	if (evidence !== undefined) statement.evidence = evidence;
	return statement;
}

/** Arguments of {@link profileBodyFrom}. */
export interface ProfileBodyArgs {
	name: string;
	identity: IdentityKeys;
	signedPrekey: SignedPrekey;
	oneTimePrekeys?: readonly OneTimePrekey[];
	about?: string;
}

/**
 * Build a profile body from the key material x3dh.ts makes (public halves only, in base64url).
 * @param args - display name, identity keys, signed prekey, one-time prekeys, about text
 * @returns the body to pass to {@link signRecord}('profile', …)
 */
export function profileBodyFrom(args: ProfileBodyArgs): ProfileBody {
	const body: ProfileBody = {
		name: args.name,
		agreementKey: toBase64url(args.identity.agreement.publicKey),
		agreementSig: toBase64url(args.identity.agreementSignature),
		signedPrekey: {
			id: args.signedPrekey.id,
			key: toBase64url(args.signedPrekey.keyPair.publicKey),
			sig: toBase64url(args.signedPrekey.signature)
		},
		oneTimePrekeys: (args.oneTimePrekeys ?? []).map((p) => ({ id: p.id, key: toBase64url(p.keyPair.publicKey) }))
	};
	if (args.about !== undefined) body.about = args.about;
	return body;
}

/**
 * The X3DH prekey bundle a verified profile publishes (spec §3.2), for x3dh.ts.
 * @param record - a verified profile record (its signatures are already checked)
 * @param oneTimePrekeyId - which one-time prekey to include, if any
 * @returns the bundle
 * @throws {RangeError} when the profile has no one-time prekey with that id
 */
export function prekeyBundleOf(record: VerifiedRecord<'profile'>, oneTimePrekeyId?: number): PrekeyBundle {
	const { body } = record;
	const bundle = {
		identityKey: record.signer,
		agreementKey: fromBase64url(body.agreementKey),
		agreementSignature: fromBase64url(body.agreementSig),
		signedPrekey: {
			id: body.signedPrekey.id,
			publicKey: fromBase64url(body.signedPrekey.key),
			signature: fromBase64url(body.signedPrekey.sig)
		}
	};
	if (oneTimePrekeyId === undefined) return bundle;
	const opk = body.oneTimePrekeys.find((p) => p.id === oneTimePrekeyId);
	if (!opk) throw new RangeError(`the profile has no one-time prekey ${oneTimePrekeyId}`);
	return { ...bundle, oneTimePrekey: { id: opk.id, publicKey: fromBase64url(opk.key) } };
}
