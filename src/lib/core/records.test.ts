import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';
import { toBase64url, toHex, utf8 } from './bytes.ts';
import { canonicalize } from './canonical.ts';
import { detectEd25519, signingKeyPairFromSeed, signSync, type Ed25519, type SigningKeyPair } from './ed25519.ts';
import {
	AbortError,
	BadSignatureError,
	CidError,
	FutureRecordError,
	InvalidIdError,
	MalformedError,
	MiaouError,
	NamespaceError,
	ProofOfWorkError,
	TooLargeError,
	TrustLevelError,
	UnsupportedVersionError
} from './errors.ts';
import { createIdentity, idFromSigningKey } from './identity.ts';
import { powBits } from './pow.ts';
import {
	boxPowChallenge,
	checkBoxCid,
	checkRecord,
	isMiaouSoul,
	MAX_CLOCK_SKEW_MS,
	MAX_ONE_TIME_PREKEYS,
	MAX_RECORD_BYTES,
	normalizeName,
	parseSoul,
	prekeyBundleOf,
	profileBodyFrom,
	recordSigningMessage,
	signRecord,
	soulFor,
	trustStatementOf,
	verifyRecord,
	type RecordInput,
	type SignedRecord,
	type VerifiedRecord
} from './records.ts';
import { createOneTimePrekeys, createSignedPrekey, verifyPrekeyBundle } from './x3dh.ts';
import type { RandomBytes } from './random.ts';

const seed = (n: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (i + n) & 0xff);
const alice = signingKeyPairFromSeed(seed(0));
const bob = signingKeyPairFromSeed(seed(32));
const otk = signingKeyPairFromSeed(seed(64));
const A = idFromSigningKey(alice.publicKey);
const B = idFromSigningKey(bob.publicKey);
const T = 1_700_000_000_000;
const now = (): number => T;
const MAILBOX = toBase64url(seed(100));
const ENTRY = toBase64url(seed(200).subarray(0, 16));
const CID_RAW = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'; // raw, sha2-256
const BOX_BITS = 8;

/** Deterministic bytes for key generation in tests (never for real keys). */
function testRandom(start: number): RandomBytes {
	let i = start;
	return (n) => Uint8Array.from({ length: n }, () => (i++ * 167 + 13) & 0xff);
}

/** Sign an arbitrary body by hand, bypassing signRecord's checks, to build hostile records. */
function forge(soul: string, key: string, body: unknown, state: number, signer: SigningKeyPair, v = 1): RecordInput {
	const sig = signSync(recordSigningMessage(soul, key, body, state), signer.secretKey);
	return { soul, key, state, value: canonicalize({ b: body, s: toBase64url(sig), v }) };
}

const errorOf = async (input: RecordInput, opts = {}): Promise<MiaouError> => {
	const result = await checkRecord(input, { now, powBits: BOX_BITS, ...opts });
	if (result.ok) throw new Error('the record verified');
	return result.error;
};

// The known-answer vector of docs/records.md §Test vectors: seed 00 01 … 1f signs a trust record
// about the key of seed 20 21 … 3f. Ed25519 is deterministic (RFC 8032 §5.1.6), so this string
// is what any correct implementation produces.
const VECTOR = {
	soul: 'miaou/v1/trust/did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd',
	key: 'did:key:z6MkhFwXNFWosLeugvSf4wcL9t3uuRXueGSFTRgSvHhWj5G2',
	value:
		'{"b":{"evidence":"Met at FOSDEM","level":50,"time":1700000000000},' +
		'"s":"CCUcKc9_2YZT6IU8b7pbM5mC08_yIKenjeSMlWLTB8zhWL_YRORyfnKz0z5z1uTNL_qVHXkTi6QxQRl1CoKPCQ","v":1}',
	state: 1700000000000
};

// The box vector of docs/records.md §Test vectors, at the default 16 bits: the solver searches
// upward from 0, so the nonce (47013) is deterministic too.
const BOX_VECTOR = {
	soul: 'miaou/v1/box/ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1-f4CBgoM',
	key: 'yMnKy8zNzs_Q0dLT1NXW1w',
	value:
		'{"b":{"cid":"bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",' +
		'"otk":"JUO5L_EJVRFHatyDadtt3JM2ZaEZeN2hQE7hBmypVZ0","pow":47013,"size":1024},' +
		'"s":"48hgD3mXzJ3dG4nBkX1noYYZX_CwALAp0xCAaBxNPpX1FOepRgasU_yCpv4Eu65AojpX_s3KnpakXE7Ks4ZrCw","v":1}',
	state: 1700000000000
};

let fast: Ed25519;
const records: Record<string, SignedRecord> = {};
let identity: ReturnType<typeof createIdentity>;

beforeAll(async () => {
	fast = await detectEd25519();
	identity = createIdentity({ random: testRandom(1), now });
	const spk = createSignedPrekey(identity.signing, 7, { random: testRandom(2), now });
	const opks = createOneTimePrekeys(1, MAX_ONE_TIME_PREKEYS, testRandom(3));
	const profile = profileBodyFrom({
		name: 'Zoë Martin',
		identity,
		signedPrekey: spk,
		oneTimePrekeys: opks,
		about: 'Hi!\n'
	});
	records.profile = await signRecord('profile', {
		author: identity.id,
		key: 'card',
		body: profile,
		state: T,
		signer: identity.signing
	});
	records.dir = await signRecord('dir', {
		author: A,
		key: 'entry',
		body: {
			relays: ['wss://relay.example.org/gun', 'http://127.0.0.1:8765/'],
			capabilities: ['webrtc', 'box:v1'],
			lastSeen: T
		},
		state: T,
		signer: alice
	});
	records.trust = await signRecord('trust', {
		author: A,
		key: B,
		body: { level: 50, evidence: 'Met at FOSDEM', time: T },
		state: T,
		signer: alice
	});
	records.box = await signRecord('box', {
		author: MAILBOX,
		key: ENTRY,
		body: { cid: CID_RAW, size: 1024 },
		state: T,
		signer: otk,
		powBits: BOX_BITS
	});
	records.name = await signRecord('name', {
		author: normalizeName('Alice  Liddell'),
		key: A,
		body: { id: A, name: 'Alice Liddell' },
		state: T,
		signer: alice
	});
});

afterEach(() => vi.restoreAllMocks());

describe('record format', () => {
	it('produces the fixed test vector, and verifies it', async () => {
		expect(records.trust).toEqual(VECTOR);
		const r = await verifyRecord(VECTOR, { now });
		expect(r).toMatchObject({ kind: 'trust', author: A, key: B, state: T });
		expect(r.body).toEqual({ level: 50, evidence: 'Met at FOSDEM', time: T });
		expect(r.signer).toEqual(alice.publicKey);
		expect(trustStatementOf(r as VerifiedRecord<'trust'>)).toEqual({
			issuer: A,
			target: B,
			level: 50,
			evidence: 'Met at FOSDEM',
			time: T
		});
	});

	it('produces the box vector at the default difficulty, and verifies it', async () => {
		const box = await signRecord('box', {
			author: MAILBOX,
			key: ENTRY,
			body: { cid: CID_RAW, size: 1024 },
			state: T,
			signer: otk
		});
		expect(box).toEqual(BOX_VECTOR);
		const challenge = boxPowChallenge(box.soul, box.key, JSON.parse(box.value).b, box.state);
		expect(toHex(challenge)).toBe('a8347164222e03851db1c38b677fde4f11ed5204efd7efecec7fd5eb3777e90e');
		expect(powBits(challenge, 47013)).toBe(17);
		const r = await verifyRecord(BOX_VECTOR, { now });
		expect(r).toMatchObject({ kind: 'box', author: MAILBOX, key: ENTRY });
		expect(r.body).toEqual({ cid: CID_RAW, size: 1024, otk: toBase64url(otk.publicKey), pow: 47013 });
	});

	it('round-trips every kind, with tweetnacl and with the fastest implementation', async () => {
		for (const ed25519 of [undefined, fast]) {
			for (const [kind, rec] of Object.entries(records)) {
				const r = await verifyRecord(rec, { now, powBits: BOX_BITS, ...(ed25519 ? { ed25519 } : {}) });
				expect(r.kind).toBe(kind);
				expect(r.value).toBe(rec.value);
				expect(JSON.parse(rec.value).b).toEqual(r.body);
				expect(Object.isFrozen(r)).toBe(true);
			}
		}
		const profile = (await verifyRecord(records.profile!, { now })) as VerifiedRecord<'profile'>;
		expect(profile.author).toBe(identity.id);
		expect(profile.body.oneTimePrekeys).toHaveLength(MAX_ONE_TIME_PREKEYS);
		expect(utf8(records.profile!.value).length).toBeLessThan(MAX_RECORD_BYTES);
		expect(await verifyPrekeyBundle(prekeyBundleOf(profile, 5))).toBe(true);
		expect(() => prekeyBundleOf(profile, 999)).toThrow(RangeError);
		const box = (await verifyRecord(records.box!, { now, powBits: BOX_BITS })) as VerifiedRecord<'box'>;
		expect(box.author).toBe(MAILBOX);
		expect(box.signer).toEqual(otk.publicKey);
		const name = await verifyRecord(records.name!, { now });
		expect(name).toMatchObject({ soul: 'miaou/v1/name/alice liddell', author: A, key: A });
	});

	it('rejects any change to a signed value, soul, key or state (property)', async () => {
		const inputs = Object.values(records);
		const tamper = fc.record({
			which: fc.nat({ max: inputs.length - 1 }),
			field: fc.constantFrom('value', 'value-bytes', 'soul', 'key', 'state'),
			at: fc.nat(),
			char: fc.oneof(
				fc.string({ minLength: 1, maxLength: 1 }),
				fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })
			),
			bit: fc.nat({ max: 7 }),
			delta: fc.integer({ min: -1e6, max: 1e6 }).filter((d) => d !== 0)
		});
		await fc.assert(
			fc.asyncProperty(tamper, async ({ which, field, at, char, bit, delta }) => {
				const input = { ...inputs[which]! };
				if (field === 'state') input.state = input.state + delta;
				else if (field === 'value-bytes') {
					const bytes = utf8(input.value);
					bytes[at % bytes.length]! ^= 1 << bit;
					input.value = new TextDecoder().decode(bytes);
				} else {
					const text = input[field];
					const i = at % text.length;
					fc.pre(text[i] !== char);
					input[field] = text.slice(0, i) + char + text.slice(i + 1);
				}
				const result = await checkRecord(input, {
					now: () => T + 10 * MAX_CLOCK_SKEW_MS,
					powBits: BOX_BITS,
					ed25519: fast
				});
				expect(result.ok).toBe(false);
			}),
			{ numRuns: 300 }
		);
	});

	it('never throws from checkRecord, whatever arrives', async () => {
		await fc.assert(
			fc.asyncProperty(fc.anything(), fc.anything(), fc.anything(), fc.anything(), async (soul, key, value, state) => {
				const result = await checkRecord({ soul, key, value, state });
				expect(result.ok).toBe(false);
				if (!result.ok) expect(result.error).toBeInstanceOf(MiaouError);
			}),
			{ numRuns: 200 }
		);
		const nothing = await checkRecord(null as unknown as RecordInput);
		expect(nothing.ok).toBe(false);
	});
});

describe('refusals, each with its named error', () => {
	it('refuses an oversized value by its size, before JSON.parse and fast', async () => {
		const parse = vi.spyOn(JSON, 'parse');
		const huge = { ...VECTOR, value: 'x'.repeat(10 * 1024 * 1024) };
		const start = performance.now();
		expect(await errorOf(huge)).toBeInstanceOf(TooLargeError);
		expect(performance.now() - start).toBeLessThan(50);
		expect(parse).not.toHaveBeenCalled();
		// One byte over the cap, counted in UTF-8: 'é' is 2 bytes.
		const over = { ...VECTOR, value: 'é'.repeat(MAX_RECORD_BYTES / 2) + 'x' };
		expect(await errorOf(over)).toBeInstanceOf(TooLargeError);
		expect(await errorOf(VECTOR, { maxBytes: VECTOR.value.length - 1 })).toBeInstanceOf(TooLargeError);
		expect(parse).not.toHaveBeenCalled();
	});

	it('refuses a value that is not a string, not JSON, not canonical or of an unknown version', async () => {
		for (const value of [42, null, undefined, { b: {} }, utf8(VECTOR.value)])
			expect(await errorOf({ ...VECTOR, value })).toBeInstanceOf(MalformedError);
		for (const value of [
			'{',
			'null',
			'[]',
			'"x"',
			VECTOR.value.replace('{"b"', '{ "b"'),
			VECTOR.value.replace('"v":1', '"v":1.0')
		])
			expect(await errorOf({ ...VECTOR, value }), value).toBeInstanceOf(MalformedError);
		const v2 = forge(VECTOR.soul, VECTOR.key, { level: 50, time: T }, T, alice, 2);
		expect(await errorOf(v2)).toBeInstanceOf(UnsupportedVersionError);
		const extra = { ...VECTOR, value: VECTOR.value.replace('"v":1}', '"v":1,"x":0}') };
		expect(await errorOf(extra)).toBeInstanceOf(MalformedError);
		for (const state of ['1700000000000', 1.5, -1, Number.NaN, 2 ** 53, null])
			expect(await errorOf({ ...VECTOR, state })).toBeInstanceOf(MalformedError);
	});

	it('refuses a body of the wrong kind or with missing, unknown or bad fields', async () => {
		const dirSoul = soulFor('dir', A);
		const trustBody = { level: 50, time: T };
		expect(await errorOf(forge(dirSoul, 'entry', trustBody, T, alice))).toBeInstanceOf(MalformedError);
		const good = { relays: [], capabilities: [], lastSeen: T };
		const bad: unknown[] = [
			{ ...good, extra: 1 },
			{ relays: [], capabilities: [] },
			{ ...good, relays: ['ftp://example.org/'] },
			{ ...good, relays: ['javascript:alert(1)'] },
			{ ...good, relays: ['wss://user:pw@example.org/'] },
			{ ...good, relays: ['wss://example.org/#x'] },
			{ ...good, relays: ['not a url'] },
			{ ...good, relays: ['wss://a.example/', 'wss://a.example/'] },
			{ ...good, relays: Array.from({ length: 17 }, (_, i) => `wss://r${i}.example/`) },
			{ ...good, capabilities: ['Upper'] },
			{ ...good, capabilities: ['x'.repeat(33)] },
			{ ...good, lastSeen: -1 }
		];
		for (const body of bad)
			expect(await errorOf(forge(dirSoul, 'entry', body, T, alice)), JSON.stringify(body)).toBeInstanceOf(
				MalformedError
			);
		expect((await checkRecord(forge(dirSoul, 'entry', good, T, alice), { now })).ok).toBe(true);
	});

	it('refuses a record signed by another key than the soul names', async () => {
		const forged = forge(VECTOR.soul, VECTOR.key, { level: 100, time: T }, T, bob);
		expect(await errorOf(forged)).toBeInstanceOf(BadSignatureError);
		await expect(
			signRecord('trust', { author: A, key: B, body: { level: 100, time: T }, state: T, signer: bob })
		).rejects.toThrow(NamespaceError);
	});

	it('refuses a value replayed under another state', async () => {
		const later = (): number => T + 120_000;
		for (const rec of [records.trust!, records.dir!, records.name!]) {
			expect((await checkRecord(rec, { now: later })).ok).toBe(true);
			for (const state of [T + 1, T - 1, T + 60_000])
				expect(await errorOf({ ...rec, state }, { now: later })).toBeInstanceOf(BadSignatureError);
		}
	});

	it('refuses a record dated beyond the clock skew', async () => {
		const at = (state: number): Promise<SignedRecord> =>
			signRecord('trust', { author: A, key: B, body: { level: 1, time: T }, state, signer: alice });
		expect((await checkRecord(await at(T + MAX_CLOCK_SKEW_MS), { now })).ok).toBe(true);
		const future = await errorOf(await at(T + MAX_CLOCK_SKEW_MS + 1));
		expect(future).toBeInstanceOf(FutureRecordError);
		expect(await errorOf(await at(T + 60_000), { now, maxSkewMs: 1000 })).toBeInstanceOf(FutureRecordError);
		// A body time in the future is refused even when the state is not.
		const bodyTime = await signRecord('trust', {
			author: A,
			key: B,
			body: { level: 1, time: T + 10 * MAX_CLOCK_SKEW_MS },
			state: T,
			signer: alice
		});
		expect(await errorOf(bodyTime)).toBeInstanceOf(FutureRecordError);
	});

	it('refuses souls and keys outside the namespace', async () => {
		const souls = [
			`other/v1/trust/${A}`,
			`miaou/v2/trust/${A}`,
			`~${A}`,
			`~miaou/v1/trust/${A}`,
			`miaou/v1/trust/${A}#x`,
			`miaou/v1/trust/${A}/extra`,
			'miaou/v1/trust/',
			'miaou/v1/trust/did:key:zNotAKey',
			`miaou/v1/unknown/${A}`,
			`miaou/v1/box/${MAILBOX}x`,
			'miaou/v1/name/Alice Liddell',
			`miaou/v1/trust/${A}${'x'.repeat(600)}`
		];
		for (const soul of souls) {
			expect(await errorOf({ ...VECTOR, soul }), soul).toBeInstanceOf(NamespaceError);
			expect(isMiaouSoul(soul)).toBe(false);
		}
		for (const key of [A, 'card', 'did:key:zBad', 42, `${B}x`])
			expect(await errorOf({ ...VECTOR, key }), String(key)).toBeInstanceOf(NamespaceError);
		// SEA's markers are named as such, not just caught by the id check.
		expect((await errorOf({ ...VECTOR, soul: `miaou/v1/trust/${A}#x` })).message).toContain('contains #');
		expect((await errorOf({ ...VECTOR, soul: `~${A}` })).message).toContain('does not start with miaou/v1/');
		expect(await errorOf({ ...records.profile!, key: 'entry' })).toBeInstanceOf(NamespaceError);
		expect(await errorOf({ ...records.box!, key: 'short' })).toBeInstanceOf(NamespaceError);
		expect(isMiaouSoul(VECTOR.soul)).toBe(true);
		expect(isMiaouSoul(42)).toBe(false);
		expect(parseSoul(VECTOR.soul)).toEqual({ kind: 'trust', author: A, path: [] });
		expect(() => soulFor('profile', 'alice')).toThrow(NamespaceError);
		expect(() => soulFor('profile', A, 'more')).toThrow(NamespaceError);
	});

	it('refuses trust levels outside −100..100 or not integers', async () => {
		for (const level of [101, -101])
			expect(await errorOf(forge(VECTOR.soul, VECTOR.key, { level, time: T }, T, alice))).toBeInstanceOf(
				TrustLevelError
			);
		// 1.5 cannot be signed canonically at all: write the text by hand; the level check speaks first.
		const sig = toBase64url(new Uint8Array(64));
		const float = { ...VECTOR, value: `{"b":{"level":1.5,"time":${T}},"s":"${sig}","v":1}` };
		expect(await errorOf(float)).toBeInstanceOf(TrustLevelError);
		await expect(
			signRecord('trust', { author: A, key: B, body: { level: 1.5, time: T }, state: T, signer: alice })
		).rejects.toThrow(TrustLevelError);
	});

	it('refuses a box entry without enough proof of work', async () => {
		const box = records.box!;
		const body = JSON.parse(box.value).b;
		const got = powBits(boxPowChallenge(box.soul, box.key, body, box.state), body.pow);
		expect(got).toBeGreaterThanOrEqual(BOX_BITS);
		expect(got).toBeLessThan(16);
		const error = await errorOf(box, { powBits: 16 });
		expect(error).toBeInstanceOf(ProofOfWorkError);
		expect(error.message).toContain('16 are required');
		// A nonce is bound to its entry: re-signing the same body under another key fails the work.
		const moved = forge(box.soul, toBase64url(seed(201).subarray(0, 16)), body, box.state, otk);
		expect(await errorOf(moved)).toBeInstanceOf(ProofOfWorkError);
		// A box signed by another key than its otk.
		expect(await errorOf(forge(box.soul, box.key, body, box.state, alice))).toBeInstanceOf(BadSignatureError);
	});

	it('refuses a box entry with a bad CID', async () => {
		const bad = [
			'QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n', // CIDv0
			'zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA', // v1 but base58btc
			CID_RAW.toUpperCase(),
			'bafkqaaa', // identity multihash
			CID.createV1(0x0200, CID.parse(CID_RAW).multihash).toString(), // json codec: not allowed
			CID.createV1(0x55, createDigest(0x13, new Uint8Array(64))).toString(), // sha2-512
			'not a cid',
			'',
			`b${'a'.repeat(200)}`
		];
		for (const cid of bad) {
			expect(() => checkBoxCid(cid), cid).toThrow(CidError);
			const body = { cid, size: 1, otk: toBase64url(otk.publicKey), pow: 0 };
			expect(await errorOf(forge(records.box!.soul, ENTRY, body, T, otk)), cid).toBeInstanceOf(CidError);
		}
		await expect(
			signRecord('box', { author: MAILBOX, key: ENTRY, body: { cid: 'bafkqaaa', size: 1 }, state: T, signer: otk })
		).rejects.toThrow(CidError);
		expect(checkBoxCid(CID_RAW)).toBe(CID_RAW);
	});

	it('refuses a name record whose key is not the signer, or that is filed under another name', async () => {
		const soul = soulFor('name', 'alice liddell');
		// Alice files an entry claiming Bob's id: only Bob's key can sign under key B.
		expect(await errorOf(forge(soul, B, { id: B, name: 'Alice Liddell' }, T, alice))).toBeInstanceOf(BadSignatureError);
		expect(await errorOf(forge(soul, A, { id: B, name: 'Alice Liddell' }, T, alice))).toBeInstanceOf(NamespaceError);
		expect(await errorOf(forge(soul, A, { id: A, name: 'Bob' }, T, alice))).toBeInstanceOf(NamespaceError);
		await expect(
			signRecord('name', {
				author: 'alice liddell',
				key: B,
				body: { id: B, name: 'Alice Liddell' },
				state: T,
				signer: alice
			})
		).rejects.toThrow(NamespaceError);
	});

	it('refuses a profile whose inner keys are not signed by its id or are malformed', async () => {
		const body = JSON.parse(records.profile!.value).b;
		const soul = records.profile!.soul;
		const otherSig = toBase64url(signSync(utf8('miaou/v1/agreement-key'), bob.secretKey));
		const swapped = { ...body, agreementSig: otherSig };
		expect(await errorOf(forge(soul, 'card', swapped, T, identity.signing))).toBeInstanceOf(BadSignatureError);
		const spk = { ...body.signedPrekey, id: body.signedPrekey.id + 1 };
		expect(await errorOf(forge(soul, 'card', { ...body, signedPrekey: spk }, T, identity.signing))).toBeInstanceOf(
			BadSignatureError
		);
		const bad: unknown[] = [
			{ ...body, name: '' },
			{ ...body, name: ' Zoë' },
			{ ...body, name: 'Zoe\u0308' }, // not NFC
			{ ...body, name: 'a\u202Eb' }, // bidi override
			{ ...body, name: 'x'.repeat(65) },
			{ ...body, about: 'x'.repeat(501) },
			{ ...body, about: 'bell\u0007' },
			{ ...body, oneTimePrekeys: [...body.oneTimePrekeys, { id: 1000, key: body.agreementKey }] },
			{ ...body, oneTimePrekeys: [body.oneTimePrekeys[0], body.oneTimePrekeys[0]] },
			{ ...body, oneTimePrekeys: [{ id: 1, key: toBase64url(new Uint8Array(32)) }] }, // small order
			{ ...body, agreementKey: body.agreementKey.slice(1) }
		];
		for (const b of bad)
			expect(await errorOf(forge(soul, 'card', b, T, identity.signing)), JSON.stringify(b).slice(0, 80)).toBeInstanceOf(
				MalformedError
			);
	});

	it('refuses an id that does not decode', async () => {
		const soul = soulFor('name', 'x');
		for (const id of ['did:key:zBad', 'did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvV', 42])
			expect(await errorOf(forge(soul, A, { id, name: 'X' }, T, alice)), String(id)).toBeInstanceOf(InvalidIdError);
		const broken = { publicKey: new Uint8Array(32), secretKey: alice.secretKey }; // small-order point
		await expect(
			signRecord('trust', { author: A, key: B, body: { level: 1, time: T }, state: T, signer: broken })
		).rejects.toThrow(InvalidIdError);
	});

	it('aborts the proof of work of a box through its signal', async () => {
		const controller = new AbortController();
		controller.abort();
		await expect(
			signRecord('box', {
				author: MAILBOX,
				key: ENTRY,
				body: { cid: CID_RAW, size: 1 },
				state: T,
				signer: otk,
				powBits: 30,
				signal: controller.signal
			})
		).rejects.toThrow(AbortError);
	});
});

describe('name normalization', () => {
	it('maps display names and queries to one index form', () => {
		const cases: [string, string][] = [
			['Alice  Liddell', 'alice liddell'],
			['  ALICE\tLiddell\n', 'alice liddell'],
			['Ａｌｉｃｅ', 'alice'], // fullwidth → NFKC
			['ﬁona', 'fiona'], // ligature
			['Zoe\u0308', 'zoë'], // NFC composition
			['a/b#c', 'a b c'],
			['zero\u200Bwidth', 'zerowidth'],
			['ΟΔΥΣΣΕΥΣ', 'οδυσσευς'] // final sigma
		];
		for (const [input, out] of cases) expect(normalizeName(input), input).toBe(out);
		for (const bad of ['', '   ', '#/', '\u200B', 'x'.repeat(65)])
			expect(() => normalizeName(bad), bad).toThrow(MalformedError);
	});

	it('is idempotent and never yields a character a soul cannot hold', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (name) => {
				let n: string;
				try {
					n = normalizeName(name);
				} catch (error) {
					expect(error).toBeInstanceOf(MalformedError);
					return;
				}
				expect(normalizeName(n)).toBe(n);
				expect(n).not.toMatch(/[/#]|^\s|\s$/);
				expect(isMiaouSoul(soulFor('name', n))).toBe(true);
			}),
			{ numRuns: 2000 }
		);
	});
});
