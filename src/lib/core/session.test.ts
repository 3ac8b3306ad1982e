import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import vector from '../../../tests/vectors/envelope-v1.json' with { type: 'json' };
import { concat, equalBytes, fromHex, fromUtf8, toHex, utf8 } from './bytes.ts';
import { signingKeyPairFromSeed, signSync, webcryptoEd25519 } from './ed25519.ts';
import {
	decodeReceipt,
	encodeInner,
	encodeReceipt,
	ENVELOPE_OVERHEAD,
	sealEnvelope,
	unsealEnvelope,
	type SessionMessage
} from './envelope.ts';
import {
	DecryptError,
	MalformedError,
	NoSessionError,
	ReplayError,
	TooLargeError,
	UnknownPrekeyError,
	UnsupportedVersionError
} from './errors.ts';
import { isBucketLength } from './padding.ts';
import type { RandomBytes } from './random.ts';
import {
	createLoopbackPair,
	importSession,
	MAX_SESSION_STATE_BYTES,
	openEnvelope,
	sendLoopback,
	Session,
	startSession,
	type OpenedMessage
} from './session.ts';
import { agreementKeyPairFromSecret, generateAgreementKeyPair } from './x25519.ts';
import {
	createOneTimePrekeys,
	createPrekeyBundle,
	createSignedPrekey,
	initiateX3dh,
	memoryPrekeyStore,
	signAgreementKey,
	signedPrekeyMessage,
	type IdentityKeys,
	type PrekeyBundle
} from './x3dh.ts';
import { seededRandom } from './seeded-random.ts';

// WebCrypto's Ed25519 (the fast path) for the parties; the known-answer test uses the default, tweetnacl.
const ed25519 = webcryptoEd25519();
const NOW = Date.UTC(2025, 5, 1, 12, 30, 45);
const now = () => NOW;

/** A party: its keys, prekeys and a session store (newest first), as an app would keep them. */
function party(name: string, random: RandomBytes, oneTimeCount = 3) {
	const signing = signingKeyPairFromSeed(random(32));
	const agreement = generateAgreementKeyPair(random);
	const keys: IdentityKeys = { signing, agreement, agreementSignature: signAgreementKey(signing, agreement.publicKey) };
	const spk = createSignedPrekey(signing, 1, { random, now });
	const opks = createOneTimePrekeys(1, oneTimeCount, random);
	const prekeys = memoryPrekeyStore([spk], opks);
	const sessions: Session[] = [];
	const lookup = (peer: Uint8Array) => sessions.filter((s) => equalBytes(s.peerIdentityKey, peer));
	const bundle = (withOneTime = true): PrekeyBundle => {
		const ids = prekeys.oneTimeIds();
		const opk = withOneTime ? opks.find((p) => p.id === ids[0]) : undefined;
		return createPrekeyBundle(keys, spk, opk);
	};
	const open = async (envelope: Uint8Array): Promise<OpenedMessage> => {
		const opened = await openEnvelope({ envelope, me: keys, prekeys, sessions: lookup, random, now, ed25519 });
		if (opened.newSession) sessions.unshift(opened.session);
		return opened;
	};
	/** Start a session from a peer's bundle and store it, as an app would. */
	const start = async (peerBundle: PrekeyBundle): Promise<Session> => {
		const session = await startSession({ me: keys, bundle: peerBundle, random, now, ed25519 });
		sessions.unshift(session);
		return session;
	};
	return { name, keys, prekeys, sessions, lookup, bundle, open, start, random };
}

function setup(seed: string) {
	const random = seededRandom(seed);
	return { random, alice: party('alice', random), bob: party('bob', random) };
}

function kindOf(envelope: Uint8Array, recipient: ReturnType<typeof party>): string {
	return unsealEnvelope(envelope, recipient.keys.agreement).kind;
}

describe('session', () => {
	it('starts with a first contact, then talks both ways with ratchet messages', async () => {
		const { alice, bob } = setup('conversation');
		const session = await alice.start(bob.bundle());
		expect(session.awaitingReply).toBe(true);
		const first = session.encrypt(utf8('hello Bob'));
		expect(kindOf(first.envelope, bob)).toBe('first-contact');
		expect(first.timestamp).toBe(Date.UTC(2025, 5, 1, 12, 30));

		const got = await bob.open(first.envelope);
		expect(fromUtf8(got.body)).toBe('hello Bob');
		expect(got).toMatchObject({
			type: 'message',
			newSession: true,
			usedOneTimePrekeyId: 1,
			timestamp: first.timestamp
		});
		expect(got.messageId).toEqual(first.messageId);
		expect(got.senderIdentityKey).toEqual(alice.keys.signing.publicKey);
		expect(got.senderAgreementKey).toEqual(alice.keys.agreement.publicKey);
		expect(bob.prekeys.oneTimeIds()).toEqual([2, 3]); // X3DH §3.4: used once, then deleted

		for (let round = 0; round < 3; round++) {
			const reply = bob.sessions[0]!.encrypt(utf8(`bob ${round}`));
			expect(kindOf(reply.envelope, alice)).toBe('ratchet');
			const r = await alice.open(reply.envelope);
			expect(fromUtf8(r.body)).toBe(`bob ${round}`);
			expect(r.newSession).toBe(false);
			expect(r.senderIdentityKey).toEqual(bob.keys.signing.publicKey);
			expect(session.awaitingReply).toBe(false);
			const next = session.encrypt(utf8(`alice ${round}`));
			expect(kindOf(next.envelope, bob)).toBe('ratchet');
			expect(fromUtf8((await bob.open(next.envelope)).body)).toBe(`alice ${round}`);
		}
		expect(bob.sessions).toHaveLength(1);
	});

	it('repeats first contact until answered; the responder accepts repeats in any order, once each', async () => {
		const { alice, bob } = setup('repeats');
		const session = await alice.start(bob.bundle());
		const sent = [0, 1, 2].map((i) => session.encrypt(utf8(`m${i}`)));
		for (const s of sent) expect(kindOf(s.envelope, bob)).toBe('first-contact');
		const second = await bob.open(sent[1]!.envelope);
		expect(second.newSession).toBe(true);
		const third = await bob.open(sent[2]!.envelope);
		const first = await bob.open(sent[0]!.envelope);
		expect([third, first].map((o) => [fromUtf8(o.body), o.newSession, o.session])).toEqual([
			['m2', false, second.session],
			['m0', false, second.session]
		]);
		for (const s of sent) await expect(bob.open(s.envelope)).rejects.toThrow(ReplayError);
		expect(bob.sessions).toHaveLength(1);
		expect(bob.prekeys.oneTimeIds()).toEqual([2, 3]);
	});

	it('refuses a replayed first contact once its one-time prekey is used, even if the session is gone', async () => {
		const { alice, bob } = setup('replay-first');
		const session = await alice.start(bob.bundle());
		const first = session.encrypt(utf8('once'));
		await bob.open(first.envelope);
		bob.sessions.length = 0; // Bob lost the session
		await expect(bob.open(first.envelope)).rejects.toThrow(UnknownPrekeyError);
	});

	it('keeps the one-time prekey when a first contact fails to decrypt', async () => {
		const { random, alice, bob } = setup('forged-first');
		const session = await alice.start(bob.bundle());
		const inner = unsealEnvelope(session.encrypt(utf8('real')).envelope, bob.keys.agreement);
		if (inner.kind !== 'first-contact') throw new Error('expected a first contact');
		const ciphertext = inner.message.ciphertext.slice();
		ciphertext[0]! ^= 1;
		const forged = sealEnvelope(
			{ ...inner, message: { ...inner.message, ciphertext } },
			bob.keys.agreement.publicKey,
			random
		);
		await expect(bob.open(forged)).rejects.toThrow(DecryptError);
		expect(bob.prekeys.oneTimeIds()).toEqual([1, 2, 3]);
		expect(bob.sessions).toHaveLength(0);
	});

	it('authenticates the sender: a peer cannot pose as another, and strangers have no session', async () => {
		const { random, alice, bob } = setup('impostor');
		const mallory = party('mallory', random);
		const a = await alice.start(bob.bundle());
		await bob.open(a.encrypt(utf8('hi')).envelope);
		const m = await mallory.start(bob.bundle());
		await bob.open(m.encrypt(utf8('hi, I am Mallory')).envelope);
		// Bob answers Mallory, so her next message is a ratchet message; she relabels it as Alice's.
		await mallory.open(bob.lookup(mallory.keys.signing.publicKey)[0]!.encrypt(utf8('hello Mallory')).envelope);
		m.encrypt(utf8('ignored')); // advance once more, so the relabelled message is not her first
		const inner = unsealEnvelope(m.encrypt(utf8('I am Alice')).envelope, bob.keys.agreement) as SessionMessage;
		expect(inner.kind).toBe('ratchet');
		const forged = sealEnvelope(
			{ ...inner, senderIdentityKey: alice.keys.signing.publicKey },
			bob.keys.agreement.publicKey,
			random
		);
		await expect(bob.open(forged)).rejects.toThrow(DecryptError);
		// Claiming an identity Bob has no session with.
		const stranger = sealEnvelope({ ...inner, senderIdentityKey: random(32) }, bob.keys.agreement.publicKey, random);
		await expect(bob.open(stranger)).rejects.toThrow(NoSessionError);
		// Mallory's own label still works.
		expect(fromUtf8((await bob.open(sealEnvelope(inner, bob.keys.agreement.publicKey, random))).body)).toBe(
			'I am Alice'
		);
	});

	it("never puts the sender's keys in the envelope bytes (sealed sender)", async () => {
		const { alice, bob } = setup('sealed');
		const session = await alice.start(bob.bundle());
		const envelopes = [session.encrypt(utf8('first')).envelope];
		await bob.open(envelopes[0]!);
		await alice.open(bob.sessions[0]!.encrypt(utf8('reply')).envelope);
		envelopes.push(session.encrypt(utf8('later')).envelope);
		expect(kindOf(envelopes[1]!, bob)).toBe('ratchet');
		for (const envelope of envelopes) {
			const hex = toHex(envelope);
			for (const key of [alice.keys.signing.publicKey, alice.keys.agreement.publicKey, alice.keys.agreementSignature])
				for (let i = 0; i + 8 <= key.length; i++) expect(hex).not.toContain(toHex(key.subarray(i, i + 8)));
		}
	});

	it('round-trips bodies of random sizes up to 100 KiB, in bucket-sized envelopes', async () => {
		const { random, alice, bob } = setup('sizes');
		const session = await alice.start(bob.bundle());
		await bob.open(session.encrypt(new Uint8Array(0)).envelope);
		await alice.open(bob.sessions[0]!.encrypt(new Uint8Array(0)).envelope);
		await fc.assert(
			fc.asyncProperty(fc.integer({ min: 0, max: 100 * 1024 }), fc.boolean(), async (size, fromAlice) => {
				const body = random(size);
				const [sender, receiver] = fromAlice ? [session, bob] : [bob.sessions[0]!, alice];
				const { envelope } = sender.encrypt(body);
				expect(isBucketLength(envelope.length - ENVELOPE_OVERHEAD)).toBe(true);
				expect(equalBytes((await receiver.open(envelope)).body, body)).toBe(true);
			}),
			{ numRuns: 30 }
		);
	});

	it('carries receipts as typed messages referencing message ids', async () => {
		const { alice, bob } = setup('receipts');
		const session = await alice.start(bob.bundle());
		const sent = [session.encrypt(utf8('one')), session.encrypt(utf8('two'))];
		for (const s of sent) await bob.open(s.envelope);
		const receipt = bob.sessions[0]!.encrypt(encodeReceipt(sent.map((s) => s.messageId)), { type: 'read' });
		const got = await alice.open(receipt.envelope);
		expect(got.type).toBe('read');
		expect(decodeReceipt(got.body)).toEqual(sent.map((s) => s.messageId));
	});

	it('leaves the session unchanged after a failed decryption', async () => {
		const { random, alice, bob } = setup('unchanged');
		const session = await alice.start(bob.bundle());
		const first = session.encrypt(utf8('one'));
		await bob.open(first.envelope);
		const reply = bob.sessions[0]!.encrypt(utf8('reply'));
		const before = session.export();
		const inner = unsealEnvelope(reply.envelope, alice.keys.agreement) as SessionMessage;
		const ct = inner.message.ciphertext.slice();
		ct[ct.length - 1]! ^= 1;
		const bad = sealEnvelope(
			{ ...inner, message: { ...inner.message, ciphertext: ct } },
			alice.keys.agreement.publicKey,
			random
		);
		await expect(alice.open(bad)).rejects.toThrow(DecryptError);
		expect(session.export()).toEqual(before);
		expect(session.awaitingReply).toBe(true);
		expect(fromUtf8((await alice.open(reply.envelope)).body)).toBe('reply');
		expect(session.export()).not.toEqual(before);
	});

	it('exports and imports sessions mid-conversation, pending first contact included', async () => {
		const { random, alice, bob } = setup('export');
		const bundle = bob.bundle();
		const original = await alice.start(bundle);
		original.encrypt(utf8('lost'));
		const bytes = original.export();
		const session = importSession(bytes, { random, now });
		alice.sessions[0] = session; // the app reloads it from storage
		expect(session.export()).toEqual(bytes);
		expect(session.awaitingReply).toBe(true);
		const got = await bob.open(session.encrypt(utf8('after import')).envelope);
		expect(fromUtf8(got.body)).toBe('after import');
		const bobSession = importSession(bob.sessions[0]!.export(), { random, now });
		expect(bobSession.initiator).toBe(false);
		const reply = await alice.open(bobSession.encrypt(utf8('reply')).envelope);
		expect(reply.body).toEqual(utf8('reply'));

		expect(() => importSession(bytes.subarray(0, bytes.length - 1))).toThrow(MalformedError);
		expect(() => importSession(concat(bytes, new Uint8Array(1)))).toThrow(MalformedError);
		expect(() => importSession(concat(new Uint8Array([9]), bytes.subarray(1)))).toThrow(UnsupportedVersionError);
		expect(() => importSession(new Uint8Array(MAX_SESSION_STATE_BYTES + 1))).toThrow(TooLargeError);
		const badFlags = bytes.slice();
		badFlags[1] = 2; // pending without initiator
		expect(() => importSession(badFlags)).toThrow(MalformedError);
	});

	it('survives both sides starting a session at once', async () => {
		const { alice, bob } = setup('simultaneous');
		const a = await alice.start(bob.bundle());
		const b = await bob.start(alice.bundle());
		const fromA = a.encrypt(utf8('from alice'));
		const fromB = b.encrypt(utf8('from bob'));
		expect(fromUtf8((await bob.open(fromA.envelope)).body)).toBe('from alice');
		expect(fromUtf8((await alice.open(fromB.envelope)).body)).toBe('from bob');
		// Each side now has two sessions; whichever the peer uses, messages get through.
		expect(alice.sessions).toHaveLength(2);
		for (const [sender, receiver] of [
			[a, bob],
			[bob.sessions[0]!, alice],
			[alice.sessions[0]!, bob],
			[b, alice]
		] as const) {
			const s = sender.encrypt(utf8('ping'));
			expect(fromUtf8((await receiver.open(s.envelope)).body)).toBe('ping');
		}
	});

	it('gives benchmark hooks: a loopback pair and a full send path', async () => {
		const random = seededRandom('loopback');
		const { alice, bob } = await createLoopbackPair({ random, now });
		const kib = random(1024);
		expect((await sendLoopback(alice, bob, kib)).body).toEqual(kib);
		expect((await sendLoopback(bob, alice, kib)).body).toEqual(kib);
		expect(alice.session.awaitingReply).toBe(false);
	});

	it('matches the known-answer vector tests/vectors/envelope-v1.json byte for byte', async () => {
		const keys = (seed: string, secret: string): IdentityKeys => {
			const signing = signingKeyPairFromSeed(fromHex(seed));
			const agreement = agreementKeyPairFromSecret(fromHex(secret));
			return { signing, agreement, agreementSignature: signAgreementKey(signing, agreement.publicKey) };
		};
		const alice = keys(vector.alice.signingSeed, vector.alice.agreementSecret);
		const bob = keys(vector.bob.signingSeed, vector.bob.agreementSecret);
		const spkPair = agreementKeyPairFromSecret(fromHex(vector.bob.signedPrekey.secret));
		const spk = {
			id: vector.bob.signedPrekey.id,
			keyPair: spkPair,
			signature: signSync(signedPrekeyMessage(vector.bob.signedPrekey.id, spkPair.publicKey), bob.signing.secretKey),
			createdAt: 0
		};
		const opk = {
			id: vector.bob.oneTimePrekey.id,
			keyPair: agreementKeyPairFromSecret(fromHex(vector.bob.oneTimePrekey.secret))
		};
		const bundle = createPrekeyBundle(bob, spk, opk);
		const scripted = () => {
			const draws = vector.randomDraws.map((d) => fromHex(d.hex));
			const fn: RandomBytes & { left: () => number } = Object.assign(
				(n: number) => {
					const d = draws.shift();
					if (!d || d.length !== n) throw new Error(`unexpected draw of ${n} bytes`);
					return d;
				},
				{ left: () => draws.length }
			);
			return fn;
		};
		const x = await initiateX3dh({ me: alice, bundle, random: scripted() });
		expect(toHex(x.sharedKey)).toBe(vector.expected.sharedKey);
		expect(toHex(x.ad)).toBe(vector.expected.ad);

		const random = scripted();
		const session = await startSession({ me: alice, bundle, random, now: () => vector.now });
		const sealed = session.encrypt(utf8(vector.plaintextUtf8));
		expect(random.left()).toBe(0);
		expect(toHex(sealed.messageId)).toBe(vector.expected.messageId);
		expect(sealed.timestamp).toBe(vector.expected.timestamp);
		expect(toHex(encodeInner(unsealEnvelope(sealed.envelope, bob.agreement)))).toBe(vector.expected.inner);
		expect(toHex(sealed.envelope)).toBe(vector.expected.envelope);

		// And the stored bytes open on Bob's side.
		const opened = await openEnvelope({
			envelope: fromHex(vector.expected.envelope),
			me: bob,
			prekeys: memoryPrekeyStore([spk], [opk]),
			sessions: () => undefined
		});
		expect(fromUtf8(opened.body)).toBe(vector.plaintextUtf8);
		expect(toHex(opened.senderIdentityKey)).toBe(vector.expected.aliceIdentityKey);
	});
});
