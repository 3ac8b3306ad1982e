/**
 * Sessions: the small API the net layer and the CLI use. It joins X3DH (first contact), the
 * Double Ratchet and the sealed envelope:
 *
 *   const session = await startSession({ me, bundle });          // initiator, from the peer's bundle
 *   const { envelope } = session.encrypt(utf8('hi'));             // bytes for the relay
 *   const opened = await openEnvelope({ envelope, me, prekeys, sessions });   // on the other side
 *
 * Until the initiator hears back, each of its envelopes is a first-contact message carrying the X3DH
 * fields again (as Signal does), so the responder can start the session from whichever arrives
 * first. A Session object is mutable: `encrypt` and a successful decrypt advance it; store
 * `session.export()` (encrypted at rest) after each. A failed decrypt changes nothing.
 */
import { abytes, concat, equalBytes } from './bytes.ts';
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, signingKeyPairFromSeed, type Ed25519 } from './ed25519.ts';
import {
	coarseTimestamp,
	decodeContent,
	encodeContent,
	MESSAGE_ID_LENGTH,
	sealEnvelope,
	unsealEnvelope,
	type Content,
	type ContentType,
	type InnerMessage
} from './envelope.ts';
import { DecryptError, MalformedError, NoSessionError, TooLargeError } from './errors.ts';
import { randomBytes as defaultRandom, systemClock, type Clock, type RandomBytes } from './random.ts';
import {
	ByteReader,
	canEncrypt,
	exportRatchetState,
	importRatchetState,
	initRatchetInitiator,
	initRatchetResponder,
	MAX_RATCHET_STATE_BYTES,
	ratchetDecrypt,
	ratchetEncrypt,
	u32,
	type RatchetMessage,
	type RatchetState
} from './ratchet.ts';
import { generateAgreementKeyPair, X25519_KEY_LENGTH } from './x25519.ts';
import {
	createOneTimePrekeys,
	createPrekeyBundle,
	createSignedPrekey,
	initiateX3dh,
	memoryPrekeyStore,
	respondX3dh,
	signAgreementKey,
	x3dhAssociatedData,
	type IdentityKeys,
	type PrekeyBundle,
	type PrekeyStore,
	type UsedPrekeys
} from './x3dh.ts';

/** Version byte of {@link Session.export}. */
export const SESSION_STATE_VERSION = 1;
const SESSION_FIXED_LENGTH = 2 + 5 * 32 + SIGNATURE_LENGTH + 4 + 4 + 4;
/** Largest possible {@link Session.export} output, checked before parsing. */
export const MAX_SESSION_STATE_BYTES = SESSION_FIXED_LENGTH + MAX_RATCHET_STATE_BYTES;

const FLAG_INITIATOR = 1;
const FLAG_PENDING = 2;
const FLAG_ONE_TIME = 4;

/** Randomness and time for a session; defaults are the system's. */
export interface SessionOptions {
	random?: RandomBytes;
	now?: Clock;
}

/** The X3DH fields an initiator repeats until the responder answers (X3DH spec §3.3). */
interface PendingFirstContact extends UsedPrekeys {
	readonly agreementSignature: Uint8Array;
}

/** The output of {@link Session.encrypt}. */
export interface SealedMessage {
	/** The envelope bytes to hand to the transport. */
	readonly envelope: Uint8Array;
	/** The message id inside, to match receipts and dedupe. */
	readonly messageId: Uint8Array;
	/** The coarse timestamp inside (ms, rounded down to the minute). */
	readonly timestamp: number;
}

/** The output of {@link openEnvelope}. */
export interface OpenedMessage extends Content {
	/** The sender's Ed25519 key, as authenticated by the session. */
	readonly senderIdentityKey: Uint8Array;
	readonly senderAgreementKey: Uint8Array;
	/** The session that decrypted it (already advanced); store its export. */
	readonly session: Session;
	/** True when this message started the session (first contact): store it as new. */
	readonly newSession: boolean;
	/** The one-time prekey this first contact used and that was removed from the store, if any. */
	readonly usedOneTimePrekeyId?: number;
}

/** Finds the stored sessions with a peer, newest first. */
export type SessionLookup = (
	peerIdentityKey: Uint8Array
) => Session | readonly Session[] | undefined | Promise<Session | readonly Session[] | undefined>;

interface SessionFields {
	localIdentityKey: Uint8Array;
	localAgreementKey: Uint8Array;
	peerIdentityKey: Uint8Array;
	peerAgreementKey: Uint8Array;
	initiator: boolean;
	initialEphemeral: Uint8Array;
	ratchet: RatchetState;
	pending: PendingFirstContact | null;
	options: SessionOptions;
}

/** One pairwise Double Ratchet session with one peer. */
export class Session {
	/** Our Ed25519 identity key. */
	readonly localIdentityKey: Uint8Array;
	/** Our X25519 identity key. */
	readonly localAgreementKey: Uint8Array;
	/** The peer's Ed25519 identity key. */
	readonly peerIdentityKey: Uint8Array;
	/** The peer's X25519 identity key: envelopes to the peer are sealed to it. */
	readonly peerAgreementKey: Uint8Array;
	/** Whether we started the session (we ran the initiator's half of X3DH). */
	readonly initiator: boolean;
	/** EK_A of the X3DH run that made this session; identifies repeated first-contact messages. */
	readonly initialEphemeral: Uint8Array;
	readonly #ad: Uint8Array;
	#ratchet: RatchetState;
	#pending: PendingFirstContact | null;
	readonly #random: RandomBytes;
	readonly #now: Clock;

	/** Use {@link startSession}, {@link openEnvelope} or {@link importSession}. */
	constructor(fields: SessionFields) {
		this.localIdentityKey = fields.localIdentityKey;
		this.localAgreementKey = fields.localAgreementKey;
		this.peerIdentityKey = fields.peerIdentityKey;
		this.peerAgreementKey = fields.peerAgreementKey;
		this.initiator = fields.initiator;
		this.initialEphemeral = fields.initialEphemeral;
		this.#ratchet = fields.ratchet;
		this.#pending = fields.pending;
		this.#random = fields.options.random ?? defaultRandom;
		this.#now = fields.options.now ?? systemClock;
		this.#ad = fields.initiator
			? x3dhAssociatedData(this.localIdentityKey, this.localAgreementKey, this.peerIdentityKey, this.peerAgreementKey)
			: x3dhAssociatedData(this.peerIdentityKey, this.peerAgreementKey, this.localIdentityKey, this.localAgreementKey);
	}

	/** True while the initiator has not yet received a reply (its envelopes still carry X3DH). */
	get awaitingReply(): boolean {
		return this.#pending !== null;
	}

	/** False only for a new responder session that has not received yet (never returned by this API). */
	get canSend(): boolean {
		return canEncrypt(this.#ratchet);
	}

	/** The current ratchet state (immutable), for inspection and benchmarks. */
	get ratchetState(): RatchetState {
		return this.#ratchet;
	}

	/**
	 * Encrypt content for the peer and seal it into an envelope. The session advances only if
	 * sealing succeeds.
	 * @param body - the application's bytes (for a receipt: {@link encodeReceipt}'s output)
	 * @param opts.type - 'message' (default), 'delivered' or 'read'
	 * @param opts.messageId - 16 bytes; default random
	 * @returns the envelope, the message id and the coarse timestamp inside
	 * @throws {TooLargeError} if the body is over MAX_BODY_BYTES
	 * @throws {RangeError} on a bad type or message id
	 */
	encrypt(body: Uint8Array, opts: { type?: ContentType; messageId?: Uint8Array } = {}): SealedMessage {
		const messageId = opts.messageId ?? this.#random(MESSAGE_ID_LENGTH);
		const timestamp = coarseTimestamp(this.#now());
		const content = encodeContent({ type: opts.type ?? 'message', messageId, timestamp, body });
		const { state, message } = ratchetEncrypt(this.#ratchet, content, this.#ad);
		const p = this.#pending;
		const inner: InnerMessage = p
			? {
					kind: 'first-contact',
					x3dh: {
						identityKey: this.localIdentityKey,
						agreementKey: this.localAgreementKey,
						agreementSignature: p.agreementSignature,
						ephemeralKey: this.initialEphemeral,
						signedPrekeyId: p.signedPrekeyId,
						...(p.oneTimePrekeyId !== undefined ? { oneTimePrekeyId: p.oneTimePrekeyId } : {})
					},
					message
				}
			: { kind: 'ratchet', senderIdentityKey: this.localIdentityKey, message };
		const envelope = sealEnvelope(inner, this.peerAgreementKey, this.#random);
		this.#ratchet = state;
		return { envelope, messageId, timestamp };
	}

	/**
	 * Decrypt a ratchet message from the peer; on success the session advances, on any failure it is
	 * unchanged (the ratchet works on a copy).
	 * @param message - header and ciphertext from an inner message
	 * @returns the decoded content
	 * @throws {ReplayError | TooOldError | DecryptError | InvalidKeyError} from the ratchet
	 * @throws {MalformedError} if the decrypted content does not parse
	 */
	decrypt(message: RatchetMessage): Content {
		const { state, plaintext } = ratchetDecrypt(this.#ratchet, message, this.#ad, this.#random);
		const content = decodeContent(plaintext);
		this.#ratchet = state;
		// Double Ratchet spec §5.1 / X3DH §3.3: once the peer answers it has the session, so stop
		// repeating the first-contact fields.
		this.#pending = null;
		return content;
	}

	/**
	 * Serialize the session (version 1, see docs/protocol.md §Session state). The bytes hold secret
	 * keys: store them encrypted.
	 * @returns the bytes
	 */
	export(): Uint8Array {
		const p = this.#pending;
		const flags =
			(this.initiator ? FLAG_INITIATOR : 0) |
			(p ? FLAG_PENDING : 0) |
			(p?.oneTimePrekeyId !== undefined ? FLAG_ONE_TIME : 0);
		const ratchet = exportRatchetState(this.#ratchet);
		return concat(
			new Uint8Array([SESSION_STATE_VERSION, flags]),
			this.localIdentityKey,
			this.localAgreementKey,
			this.peerIdentityKey,
			this.peerAgreementKey,
			this.initialEphemeral,
			...(p ? [p.agreementSignature, u32(p.signedPrekeyId)] : []),
			...(p?.oneTimePrekeyId !== undefined ? [u32(p.oneTimePrekeyId)] : []),
			u32(ratchet.length),
			ratchet
		);
	}
}

/**
 * Parse the output of {@link Session.export}.
 * @param bytes - the stored session
 * @param options - randomness and clock for the revived session
 * @returns the session
 * @throws {TooLargeError} if over {@link MAX_SESSION_STATE_BYTES}
 * @throws {UnsupportedVersionError} on an unknown version
 * @throws {MalformedError} if the bytes do not parse exactly
 */
export function importSession(bytes: Uint8Array, options: SessionOptions = {}): Session {
	abytes(bytes, undefined, 'bytes');
	if (bytes.length > MAX_SESSION_STATE_BYTES)
		throw new TooLargeError('Session state', bytes.length, MAX_SESSION_STATE_BYTES);
	const r = new ByteReader(bytes, 'Session state');
	r.version(SESSION_STATE_VERSION);
	const flags = r.u8();
	if (
		flags > 7 ||
		(flags & FLAG_ONE_TIME && !(flags & FLAG_PENDING)) ||
		(flags & FLAG_PENDING && !(flags & FLAG_INITIATOR))
	)
		throw new MalformedError('Session state', 'inconsistent flags');
	const localIdentityKey = r.bytes(PUBLIC_KEY_LENGTH);
	const localAgreementKey = r.bytes(X25519_KEY_LENGTH);
	const peerIdentityKey = r.bytes(PUBLIC_KEY_LENGTH);
	const peerAgreementKey = r.bytes(X25519_KEY_LENGTH);
	const initialEphemeral = r.bytes(X25519_KEY_LENGTH);
	let pending: PendingFirstContact | null = null;
	if (flags & FLAG_PENDING) {
		const agreementSignature = r.bytes(SIGNATURE_LENGTH);
		const signedPrekeyId = r.u32();
		pending = {
			agreementSignature,
			signedPrekeyId,
			...(flags & FLAG_ONE_TIME ? { oneTimePrekeyId: r.u32() } : {})
		};
	}
	const ratchetLength = r.u32();
	if (ratchetLength !== r.remaining) throw new MalformedError('Session state', 'bad ratchet length');
	const ratchet = importRatchetState(r.rest());
	return new Session({
		localIdentityKey,
		localAgreementKey,
		peerIdentityKey,
		peerAgreementKey,
		initiator: (flags & FLAG_INITIATOR) !== 0,
		initialEphemeral,
		ratchet,
		pending,
		options
	});
}

/**
 * Start a session with a peer from its prekey bundle (X3DH spec §3.3, then Double Ratchet §3.3).
 * The caller must know that `bundle.identityKey` is the peer it means (e.g. from its signed profile).
 * @param params.me - our identity keys (an `Identity` fits)
 * @param params.bundle - the peer's prekey bundle
 * @param params.random - randomness (default: WebCrypto)
 * @param params.now - clock (default: system)
 * @param params.ed25519 - Ed25519 implementation for the bundle's signatures
 * @returns a session whose envelopes are first-contact messages until the peer answers
 * @throws {BadSignatureError} if the bundle's signatures do not verify
 * @throws {InvalidKeyError} if a key in the bundle is a small-order point
 */
export async function startSession(params: {
	me: IdentityKeys;
	bundle: PrekeyBundle;
	random?: RandomBytes;
	now?: Clock;
	ed25519?: Ed25519;
}): Promise<Session> {
	const random = params.random ?? defaultRandom;
	const x = await initiateX3dh({
		me: params.me,
		bundle: params.bundle,
		random,
		...(params.ed25519 ? { ed25519: params.ed25519 } : {})
	});
	const ratchet = initRatchetInitiator(x.sharedKey, x.remoteRatchetKey, random);
	x.sharedKey.fill(0);
	return new Session({
		localIdentityKey: params.me.signing.publicKey.slice(),
		localAgreementKey: params.me.agreement.publicKey.slice(),
		peerIdentityKey: params.bundle.identityKey.slice(),
		peerAgreementKey: params.bundle.agreementKey.slice(),
		initiator: true,
		initialEphemeral: x.ephemeralPublic,
		ratchet,
		pending: { agreementSignature: params.me.agreementSignature.slice(), ...x.usedPrekeys },
		options: { random, ...(params.now ? { now: params.now } : {}) }
	});
}

async function candidates(lookup: SessionLookup, peer: Uint8Array): Promise<Session[]> {
	const found = await lookup(peer);
	const list = found === undefined ? [] : found instanceof Session ? [found] : [...found];
	return list.filter((s) => equalBytes(s.peerIdentityKey, peer));
}

/**
 * Open an envelope addressed to us: unseal, then either continue a session or, for a first contact
 * with a new X3DH run, answer the X3DH and create the session (X3DH spec §3.4). The one-time prekey
 * it used is removed from `prekeys` only after the message decrypted.
 * @param params.envelope - bytes from the transport
 * @param params.me - our identity keys
 * @param params.prekeys - our prekey secrets
 * @param params.sessions - finds our sessions with a peer (several are tried, newest first)
 * @param params.random - randomness for new ratchet keys (default: WebCrypto)
 * @param params.now - clock for a new session (default: system)
 * @param params.ed25519 - Ed25519 implementation for the sender's agreement-key signature
 * @returns the sender, the content and the session to store
 * @throws {TooLargeError | MalformedError | UnsupportedVersionError} on a bad envelope
 * @throws {DecryptError} if it does not decrypt (altered, or not for us, or not from that sender)
 * @throws {ReplayError} if it was already received
 * @throws {TooOldError} if it is too far ahead in its chain
 * @throws {NoSessionError} for a ratchet message from a peer we have no session with
 * @throws {UnknownPrekeyError} for a first contact naming a prekey we no longer have
 * @throws {BadSignatureError} for a first contact whose agreement key is not signed by its sender
 * @throws {InvalidKeyError} for a first contact with a small-order key
 */
export async function openEnvelope(params: {
	envelope: Uint8Array;
	me: IdentityKeys;
	prekeys: PrekeyStore;
	sessions: SessionLookup;
	random?: RandomBytes;
	now?: Clock;
	ed25519?: Ed25519;
}): Promise<OpenedMessage> {
	const { me } = params;
	const inner = unsealEnvelope(params.envelope, me.agreement);

	if (inner.kind === 'first-contact') {
		const x = inner.x3dh;
		const sender = { senderIdentityKey: x.identityKey, senderAgreementKey: x.agreementKey };
		// A repeat of the first-contact fields for a session we already answered (X3DH §3.3).
		const known = (await candidates(params.sessions, x.identityKey)).find(
			(s) =>
				!s.initiator && equalBytes(s.initialEphemeral, x.ephemeralKey) && equalBytes(s.peerAgreementKey, x.agreementKey)
		);
		if (known) return { ...known.decrypt(inner.message), ...sender, session: known, newSession: false };

		const response = await respondX3dh({
			me,
			message: x,
			prekeys: params.prekeys,
			...(params.ed25519 ? { ed25519: params.ed25519 } : {})
		});
		const session = new Session({
			localIdentityKey: me.signing.publicKey.slice(),
			localAgreementKey: me.agreement.publicKey.slice(),
			peerIdentityKey: x.identityKey,
			peerAgreementKey: x.agreementKey,
			initiator: false,
			initialEphemeral: x.ephemeralKey,
			ratchet: initRatchetResponder(response.sharedKey, response.signedPrekey),
			pending: null,
			options: {
				...(params.random ? { random: params.random } : {}),
				...(params.now ? { now: params.now } : {})
			}
		});
		response.sharedKey.fill(0);
		const content = session.decrypt(inner.message);
		// X3DH §3.4: the one-time prekey is deleted once used; only now that the message is genuine.
		if (x.oneTimePrekeyId !== undefined) await params.prekeys.removeOneTimePrekey(x.oneTimePrekeyId);
		return {
			...content,
			...sender,
			session,
			newSession: true,
			...(x.oneTimePrekeyId !== undefined ? { usedOneTimePrekeyId: x.oneTimePrekeyId } : {})
		};
	}

	const sessions = await candidates(params.sessions, inner.senderIdentityKey);
	if (sessions.length === 0) throw new NoSessionError();
	let failure: unknown;
	for (const session of sessions) {
		try {
			const content = session.decrypt(inner.message);
			return {
				...content,
				senderIdentityKey: session.peerIdentityKey,
				senderAgreementKey: session.peerAgreementKey,
				session,
				newSession: false
			};
		} catch (err) {
			// Prefer the most telling failure: a replay or window error from the right session over a
			// DecryptError from the others.
			if (failure === undefined || (failure instanceof DecryptError && !(err instanceof DecryptError))) failure = err;
		}
	}
	throw failure;
}

/** One side of a {@link createLoopbackPair}. */
export interface LoopbackSide {
	readonly keys: IdentityKeys;
	readonly prekeys: PrekeyStore;
	session: Session;
}

/**
 * Two identities with an established session in both directions, all in memory: for benchmarks
 * (seal + open, ratchet steps), demos and tests. Bob publishes a signed and a one-time prekey;
 * Alice starts the session and sends one message, which Bob opens.
 * @param options - randomness and clock for everything created
 * @returns both sides
 */
export async function createLoopbackPair(
	options: SessionOptions = {}
): Promise<{ alice: LoopbackSide; bob: LoopbackSide }> {
	const random = options.random ?? defaultRandom;
	const makeKeys = (): IdentityKeys => {
		const signing = signingKeyPairFromSeed(random(32));
		const agreement = generateAgreementKeyPair(random);
		return { signing, agreement, agreementSignature: signAgreementKey(signing, agreement.publicKey) };
	};
	const aliceKeys = makeKeys();
	const bobKeys = makeKeys();
	const spk = createSignedPrekey(bobKeys.signing, 1, { random, ...(options.now ? { now: options.now } : {}) });
	const [opk] = createOneTimePrekeys(1, 1, random);
	const bobPrekeys = memoryPrekeyStore([spk], [opk!]);
	const aliceSession = await startSession({
		me: aliceKeys,
		bundle: createPrekeyBundle(bobKeys, spk, opk),
		...options
	});
	const alice: LoopbackSide = { keys: aliceKeys, prekeys: memoryPrekeyStore([]), session: aliceSession };
	const first = aliceSession.encrypt(new Uint8Array(0));
	const opened = await openEnvelope({
		envelope: first.envelope,
		me: bobKeys,
		prekeys: bobPrekeys,
		sessions: () => undefined,
		...options
	});
	return { alice, bob: { keys: bobKeys, prekeys: bobPrekeys, session: opened.session } };
}

/**
 * Seal `body` from one loopback side and open it on the other: one full message path.
 * @param from - the sender
 * @param to - the recipient
 * @param body - the bytes to send
 * @returns what the recipient opened
 */
export async function sendLoopback(from: LoopbackSide, to: LoopbackSide, body: Uint8Array): Promise<OpenedMessage> {
	const { envelope } = from.session.encrypt(body);
	return openEnvelope({ envelope, me: to.keys, prekeys: to.prekeys, sessions: () => to.session });
}
