import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concat, utf8 } from './bytes.ts';
import {
	DecryptError,
	MalformedError,
	ReplayError,
	TooLargeError,
	TooOldError,
	UnsupportedVersionError
} from './errors.ts';
import type { RandomBytes } from './random.ts';
import {
	canEncrypt,
	decodeHeader,
	encodeHeader,
	exportRatchetState,
	importRatchetState,
	initRatchetInitiator,
	initRatchetResponder,
	MAX_PAST_RATCHET_KEYS,
	MAX_RATCHET_STATE_BYTES,
	MAX_SKIP,
	MAX_SKIPPED_KEYS,
	openWithKey,
	ratchetDecrypt,
	ratchetEncrypt,
	sealWithKey,
	type RatchetMessage,
	type RatchetState
} from './ratchet.ts';
import { generateAgreementKeyPair } from './x25519.ts';
import { seededRandom } from './seeded-random.ts';

const AD = utf8('associated data of the session, as X3DH would make it');

/** A fresh pair: Alice initiated with Bob's signed prekey as his first ratchet key. */
function pair(seed: string) {
	const random = seededRandom(seed);
	const sk = random(32);
	const spk = generateAgreementKeyPair(random);
	return {
		alice: initRatchetInitiator(sk, spk.publicKey, seededRandom(`${seed}/alice`)),
		bob: initRatchetResponder(sk, spk),
		randomA: seededRandom(`${seed}/alice-later`),
		randomB: seededRandom(`${seed}/bob`)
	};
}

function send(state: RatchetState, text: string): { state: RatchetState; message: RatchetMessage } {
	return ratchetEncrypt(state, utf8(text), AD);
}

function receive(state: RatchetState, message: RatchetMessage, random: RandomBytes, expected: string): RatchetState {
	const out = ratchetDecrypt(state, message, AD, random);
	expect(new TextDecoder().decode(out.plaintext)).toBe(expected);
	return out.state;
}

/** Assert that `fn` throws `errorClass` and leaves `state` exactly as it was. */
function expectRefusedUnchanged(state: RatchetState, fn: () => unknown, errorClass: new (...a: never[]) => Error) {
	const before = exportRatchetState(state);
	expect(fn).toThrow(errorClass);
	expect(exportRatchetState(state)).toEqual(before);
}

function tamper(message: RatchetMessage, index: number): RatchetMessage {
	const ciphertext = message.ciphertext.slice();
	ciphertext[index % ciphertext.length]! ^= 0x40;
	return { header: message.header, ciphertext };
}

describe('ratchet', () => {
	it('exchanges messages both ways across DH ratchet steps', () => {
		const p = pair('basic');
		let { alice, bob } = p;
		const { randomA, randomB } = p;
		expect(canEncrypt(bob)).toBe(false);
		expect(() => send(bob, 'too early')).toThrow(/cannot send/);
		for (let round = 0; round < 4; round++) {
			let m;
			({ state: alice, message: m } = send(alice, `a${round}`));
			bob = receive(bob, m, randomB, `a${round}`);
			({ state: bob, message: m } = send(bob, `b${round}`));
			alice = receive(alice, m, randomA, `b${round}`);
		}
		// Each turn of the conversation is a new ratchet key (spec §2.3).
		expect(alice.pastKeys.length).toBe(4);
	});

	it('decrypts reordered, dropped and duplicated traffic; refuses every duplicate and tampering, unchanged', () => {
		type Action =
			{ kind: 'send'; from: 0 | 1; count: number } | { kind: 'deliver' | 'replay' | 'drop' | 'tamper'; pick: number };
		const action: fc.Arbitrary<Action> = fc.oneof(
			{
				arbitrary: fc.record({
					kind: fc.constant('send' as const),
					from: fc.constantFrom(0 as const, 1 as const),
					count: fc.integer({ min: 1, max: 4 })
				}),
				weight: 3
			},
			{ arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat() }), weight: 4 },
			{ arbitrary: fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }), weight: 1 },
			{ arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }), weight: 1 },
			{ arbitrary: fc.record({ kind: fc.constant('tamper' as const), pick: fc.nat() }), weight: 1 }
		);
		fc.assert(
			fc.property(fc.array(action, { minLength: 1, maxLength: 50 }), fc.string(), (actions, seed) => {
				const p = pair(`prop/${seed}`);
				const states: [RatchetState, RatchetState] = [p.alice, p.bob];
				const randoms = [p.randomA, p.randomB];
				type Flight = { to: 0 | 1; text: string; message: RatchetMessage };
				const inFlight: Flight[] = [];
				const delivered: Flight[] = [];
				let counter = 0;
				for (const a of actions) {
					if (a.kind === 'send') {
						for (let i = 0; i < a.count && canEncrypt(states[a.from]); i++) {
							const text = `${a.from}:${counter++}`;
							const out = send(states[a.from], text);
							states[a.from] = out.state;
							inFlight.push({ to: a.from === 0 ? 1 : 0, text, message: out.message });
						}
					} else if (a.kind === 'deliver' && inFlight.length > 0) {
						const [f] = inFlight.splice(a.pick % inFlight.length, 1);
						states[f!.to] = receive(states[f!.to], f!.message, randoms[f!.to]!, f!.text);
						delivered.push(f!);
					} else if (a.kind === 'replay' && delivered.length > 0) {
						const f = delivered[a.pick % delivered.length]!;
						expectRefusedUnchanged(
							states[f.to],
							() => ratchetDecrypt(states[f.to], f.message, AD, randoms[f.to]),
							ReplayError
						);
					} else if (a.kind === 'drop' && inFlight.length > 0) {
						inFlight.splice(a.pick % inFlight.length, 1);
					} else if (a.kind === 'tamper' && inFlight.length > 0) {
						const f = inFlight[a.pick % inFlight.length]!;
						const bad = tamper(f.message, a.pick);
						expectRefusedUnchanged(
							states[f.to],
							() => ratchetDecrypt(states[f.to], bad, AD, randoms[f.to]),
							DecryptError
						);
					}
				}
				// Everything still in flight decrypts at the end, newest first (the most skipping)...
				for (const f of inFlight.reverse()) {
					states[f.to] = receive(states[f.to], f.message, randoms[f.to]!, f.text);
					delivered.push(f);
				}
				// ...and then every message ever delivered is a replay, whatever chain it came from.
				for (const f of delivered)
					expectRefusedUnchanged(
						states[f.to],
						() => ratchetDecrypt(states[f.to], f.message, AD, randoms[f.to]),
						ReplayError
					);
			}),
			{ numRuns: 100 }
		);
	});

	it('authenticates the header and the AD', () => {
		const p = pair('header');
		let { alice, bob } = p;
		const { randomB } = p;
		let m;
		({ state: alice, message: m } = send(alice, 'one'));
		({ state: alice, message: m } = send(alice, 'two'));
		// A different PN or AD gives a different key: refused, and the state is untouched.
		expectRefusedUnchanged(
			bob,
			() => ratchetDecrypt(bob, { ...m, header: { ...m.header, pn: 5 } }, AD, randomB),
			DecryptError
		);
		expectRefusedUnchanged(bob, () => ratchetDecrypt(bob, m, utf8('other'), randomB), DecryptError);
		bob = receive(bob, m, randomB, 'two');
		expect(bob.skipped.size).toBe(1);
		void alice;
	});

	it('forgets a message key once used: a second decryption is a replay (forward secrecy, spec §6.1)', () => {
		const p = pair('forward');
		let { alice, bob } = p;
		const { randomB } = p;
		const sent: RatchetMessage[] = [];
		for (let i = 0; i < 3; i++) {
			const out = send(alice, `m${i}`);
			alice = out.state;
			sent.push(out.message);
		}
		// Out of order: m2 first, so m0 and m1 become skipped keys.
		bob = receive(bob, sent[2]!, randomB, 'm2');
		expect(bob.skipped.size).toBe(2);
		bob = receive(bob, sent[0]!, randomB, 'm0');
		expect(bob.skipped.size).toBe(1); // m0's key is deleted on use
		for (const m of [sent[0]!, sent[2]!])
			expectRefusedUnchanged(bob, () => ratchetDecrypt(bob, m, AD, randomB), ReplayError);
		// The used keys are gone from the stored state too.
		const restored = importRatchetState(exportRatchetState(bob));
		expect([...restored.skipped.values()].map((k) => k.n)).toEqual([1]);
		expectRefusedUnchanged(restored, () => ratchetDecrypt(restored, sent[0]!, AD, randomB), ReplayError);
		bob = receive(bob, sent[1]!, randomB, 'm1');
		expect(bob.skipped.size).toBe(0);
	});

	it('recovers from compromise: an old copy of the state cannot read after the next DH ratchet step', () => {
		const p = pair('pcs');
		let { alice, bob } = p;
		const { randomA, randomB } = p;
		let m;
		({ state: alice, message: m } = send(alice, 'hello'));
		bob = receive(bob, m, randomB, 'hello');
		({ state: bob, message: m } = send(bob, 'hi'));
		alice = receive(alice, m, randomA, 'hi');

		// The attacker copies Bob's whole state, secrets included.
		const stolen = importRatchetState(exportRatchetState(bob));
		const attackerRandom = seededRandom('attacker');

		const out1 = send(alice, 'still readable by the copy');
		const m1 = out1.message;
		alice = out1.state;
		bob = receive(bob, m1, randomB, 'still readable by the copy');
		// Before recovery the copy reads Alice's next message: it is a true copy.
		expect(new TextDecoder().decode(ratchetDecrypt(stolen, m1, AD, attackerRandom).plaintext)).toBe(
			'still readable by the copy'
		);
		// Bob replies with a fresh ratchet key the attacker never saw; Alice answers with another.
		({ state: bob, message: m } = send(bob, 'new ratchet key'));
		alice = receive(alice, m, randomA, 'new ratchet key');
		const m3 = send(alice, 'secret again').message;
		bob = receive(bob, m3, randomB, 'secret again');
		// Neither the old copy nor the copy advanced by everything it could see can read it.
		// (Bob's reply, encrypted to Alice, gives the copy nothing to decrypt: it only carries Bob's new
		// public key, and the matching secret never left Bob.)
		const advanced = ratchetDecrypt(stolen, m1, AD, attackerRandom).state;
		expect(advanced.dhs.publicKey).not.toEqual(m.header.dh);
		for (const s of [stolen, advanced]) expect(() => ratchetDecrypt(s, m3, AD, attackerRandom)).toThrow(DecryptError);
		// Bob's own state still reads on.
		expect(bob.nr).toBe(1);
	});

	it('refuses a message more than MAX_SKIP ahead, in the same chain and in a new one', () => {
		const p = pair('skip');
		let { alice, bob } = p;
		const { randomB } = p;
		const sent: RatchetMessage[] = [];
		for (let i = 0; i <= MAX_SKIP + 1; i++) {
			const out = send(alice, `m${i}`);
			alice = out.state;
			sent.push(out.message);
		}
		// New chain for Bob: N = MAX_SKIP + 1 is too far.
		expectRefusedUnchanged(bob, () => ratchetDecrypt(bob, sent[MAX_SKIP + 1]!, AD, randomB), TooOldError);
		bob = receive(bob, sent[MAX_SKIP]!, randomB, `m${MAX_SKIP}`);
		expect(bob.skipped.size).toBe(MAX_SKIP);
		bob = receive(bob, sent[MAX_SKIP + 1]!, randomB, `m${MAX_SKIP + 1}`);
		bob = receive(bob, sent[3]!, randomB, 'm3');
		// Same chain: a forged far-ahead header is refused before any work.
		const far = { header: { ...sent[0]!.header, n: bob.nr + MAX_SKIP + 1 }, ciphertext: sent[0]!.ciphertext };
		expectRefusedUnchanged(bob, () => ratchetDecrypt(bob, far, AD, randomB), TooOldError);
	});

	it('caps the skipped keys: the oldest are deleted and their messages refused as replays', () => {
		const p = pair('cap');
		let { alice, bob } = p;
		const { randomA, randomB } = p;
		const firsts: RatchetMessage[] = [];
		// Three turns, each leaving MAX_SKIP keys skipped in Bob's state.
		for (let turn = 0; turn < 3; turn++) {
			const chain: RatchetMessage[] = [];
			for (let i = 0; i <= MAX_SKIP; i++) {
				const out = send(alice, `t${turn}m${i}`);
				alice = out.state;
				chain.push(out.message);
			}
			firsts.push(chain[0]!);
			bob = receive(bob, chain[MAX_SKIP]!, randomB, `t${turn}m${MAX_SKIP}`);
			const reply = send(bob, `r${turn}`);
			bob = reply.state;
			alice = receive(alice, reply.message, randomA, `r${turn}`);
		}
		expect(bob.skipped.size).toBe(MAX_SKIPPED_KEYS);
		expectRefusedUnchanged(bob, () => ratchetDecrypt(bob, firsts[0]!, AD, randomB), ReplayError);
		bob = receive(bob, firsts[2]!, randomB, 't2m0');
		bob = receive(bob, firsts[1]!, randomB, 't1m0');
		const bytes = exportRatchetState(bob);
		expect(bytes.length).toBeLessThanOrEqual(MAX_RATCHET_STATE_BYTES);
	});

	it('remembers at most MAX_PAST_RATCHET_KEYS past chains', () => {
		const p = pair('past');
		let { alice, bob } = p;
		const { randomA, randomB } = p;
		for (let i = 0; i < MAX_PAST_RATCHET_KEYS + 5; i++) {
			let m;
			({ state: alice, message: m } = send(alice, 'a'));
			bob = receive(bob, m, randomB, 'a');
			({ state: bob, message: m } = send(bob, 'b'));
			alice = receive(alice, m, randomA, 'b');
		}
		expect(alice.pastKeys.length).toBe(MAX_PAST_RATCHET_KEYS);
		expect(importRatchetState(exportRatchetState(alice))).toEqual(alice);
	});

	it('exports and imports the state exactly, and refuses bad state bytes with named errors', () => {
		const p = pair('export');
		let { alice, bob } = p;
		const { randomB } = p;
		alice = send(alice, 'x').state;
		const out = send(alice, 'y');
		alice = out.state;
		bob = receive(bob, out.message, randomB, 'y');
		for (const s of [alice, bob, pair('fresh').bob]) {
			const bytes = exportRatchetState(s);
			expect(importRatchetState(bytes)).toEqual(s);
			expect(exportRatchetState(importRatchetState(bytes))).toEqual(bytes);
		}
		const bytes = exportRatchetState(bob);
		expect(() => importRatchetState(bytes.subarray(0, bytes.length - 1))).toThrow(MalformedError);
		expect(() => importRatchetState(concat(bytes, new Uint8Array(1)))).toThrow(MalformedError);
		expect(() => importRatchetState(concat(new Uint8Array([2]), bytes.subarray(1)))).toThrow(UnsupportedVersionError);
		expect(() => importRatchetState(new Uint8Array(MAX_RATCHET_STATE_BYTES + 1))).toThrow(TooLargeError);
		expect(() => importRatchetState(new Uint8Array(0))).toThrow(MalformedError);
	});

	it('encodes headers as 40 bytes and refuses bad counters', () => {
		const dh = new Uint8Array(32).fill(9);
		const h = { dh, pn: 0xffff_ffff, n: 7 };
		const bytes = encodeHeader(h);
		expect(bytes).toHaveLength(40);
		expect(decodeHeader(bytes)).toEqual(h);
		expect(() => encodeHeader({ dh, pn: -1, n: 0 })).toThrow(RangeError);
		expect(() => encodeHeader({ dh, pn: 0, n: 2 ** 32 })).toThrow(RangeError);
		expect(() => decodeHeader(bytes.subarray(1))).toThrow(MalformedError);
	});

	it('seals with a one-use key: AD and every ciphertext byte are authenticated', () => {
		fc.assert(
			fc.property(
				fc.uint8Array({ minLength: 32, maxLength: 32 }),
				fc.uint8Array({ maxLength: 300 }),
				fc.nat(),
				(key, pt, i) => {
					const ct = sealWithKey(key, pt, AD);
					expect(openWithKey(key, ct, AD)).toEqual(pt);
					const bad = ct.slice();
					bad[i % bad.length]! ^= 1;
					expect(() => openWithKey(key, bad, AD)).toThrow(DecryptError);
					expect(() => openWithKey(key, ct, utf8('other ad'))).toThrow(DecryptError);
					expect(() => openWithKey(key, ct.subarray(0, 15), AD)).toThrow(DecryptError);
				}
			),
			{ numRuns: 50 }
		);
	});
});
