import { createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, toBase64url, toHex, utf8 } from '../core/bytes.ts';
import { signingKeyPairFromSeed, signSync } from '../core/ed25519.ts';
import { InvalidIdError, InvalidKeyError } from '../core/errors.ts';
import { agreementSignatureMessage, createIdentity, idFromSigningKey, type Identity } from '../core/identity.ts';
import { isMailboxId } from '../core/records.ts';
import { agreementKeyPairFromSecret } from '../core/x25519.ts';
import {
	inboxMailbox,
	MAILBOX_DAY_MS,
	mailboxDay,
	pairMailbox,
	pairMailboxKey,
	watchedDays,
	WATCHED_DAYS
} from './mailbox.ts';

/** A fixed identity: Ed25519 seed all `a`, X25519 secret all `b`. */
function fixed(a: number, b: number): Identity {
	const signing = signingKeyPairFromSeed(new Uint8Array(32).fill(a));
	const agreement = agreementKeyPairFromSecret(new Uint8Array(32).fill(b));
	return {
		id: idFromSigningKey(signing.publicKey),
		signing,
		agreement,
		agreementSignature: signSync(agreementSignatureMessage(agreement.publicKey), signing.secretKey),
		createdAt: 0
	};
}

const alice = fixed(1, 2);
const bob = fixed(3, 4);

/** The same constructions written again with node:crypto (OpenSSL), as a second implementation. */
const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const hkdf = (ikm: Uint8Array, info: Uint8Array) =>
	new Uint8Array(hkdfSync('sha256', ikm, new Uint8Array(32), info, 32));
function nodeX25519(secret: Uint8Array, peer: Uint8Array): Uint8Array {
	const der = (prefix: string, key: Uint8Array) => Buffer.concat([Buffer.from(prefix, 'hex'), key]);
	const privateKey = createPrivateKey({
		key: der('302e020100300506032b656e04220420', secret),
		format: 'der',
		type: 'pkcs8'
	});
	const publicKey = createPublicKey({ key: der('302a300506032b656e032100', peer), format: 'der', type: 'spki' });
	return new Uint8Array(diffieHellman({ privateKey, publicKey }));
}

describe('mailbox ids', () => {
	it('match the known answers', () => {
		expect(alice.id).toBe('did:key:z6Mkon3Necd6NkkyfoGoHxid2znGc59LU3K7mubaRcFbLfLX');
		expect(bob.id).toBe('did:key:z6MkvRXNYcE7MMduynWTgeKbDaT1iijDSC8pZqXZc8rHPrf2');
		expect(inboxMailbox(bob.id, 20000)).toBe('qNzZ48s3slypiQBK1u7ybStQwbZC4DVDDDZhO4YxqgI');
		expect(inboxMailbox(bob.id, 20001)).toBe('R7gq4_wbyiGB0vfZFzDfXiuQGJD6CcJ5cwotHizCgJ8');
		const key = pairMailboxKey(alice, bob.agreement.publicKey);
		expect(toHex(key)).toBe('41739d4c9c92063dd7fa0438493f71aacad0342f24ccd645807b4f7caa98ae53');
		expect(pairMailbox(key, bob.id, 20000)).toBe('N2uuhk7U1NooBeLuRderwqtxkJfJFcuiRyn4ZfDuOpw');
		expect(pairMailbox(key, alice.id, 20000)).toBe('eXZ9Srwms1UGfwIdN9DDNnLxxWtvAAQiz4YrNp2uXRI');
	});

	it('agree with a second implementation (node:crypto) on random identities and days', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (day) => {
				const a = createIdentity();
				const b = createIdentity();
				const inbox = hkdf(b.signing.publicKey, concat(utf8('miaou/v1/mailbox/inbox'), u32(day)));
				expect(inboxMailbox(b.id, day)).toBe(toBase64url(inbox));
				const pairKey = hkdf(
					nodeX25519(a.agreement.secretKey, b.agreement.publicKey),
					utf8('miaou/v1/mailbox/pair-key')
				);
				expect(toHex(pairMailboxKey(a, b.agreement.publicKey))).toBe(toHex(pairKey));
				const pair = hkdf(pairKey, concat(utf8('miaou/v1/mailbox/pair'), b.signing.publicKey, u32(day)));
				expect(pairMailbox(pairKey, b.id, day)).toBe(toBase64url(pair));
			}),
			{ numRuns: 10 }
		);
	});

	it('gives both sides the same pair key, and different mailboxes per direction and per day', () => {
		const ab = pairMailboxKey(alice, bob.agreement.publicKey);
		const ba = pairMailboxKey(bob, alice.agreement.publicKey);
		expect(toHex(ab)).toBe(toHex(ba));
		const ids = new Set([
			pairMailbox(ab, bob.id, 20000),
			pairMailbox(ab, alice.id, 20000),
			pairMailbox(ab, bob.id, 20001),
			inboxMailbox(bob.id, 20000)
		]);
		expect(ids.size).toBe(4);
		const carol = createIdentity();
		expect(pairMailbox(pairMailboxKey(carol, bob.agreement.publicKey), bob.id, 20000)).not.toBe(
			pairMailbox(ab, bob.id, 20000)
		);
		for (const id of ids) expect(isMailboxId(id)).toBe(true);
	});

	it('counts UTC days and watches yesterday and today', () => {
		expect(mailboxDay(0)).toBe(0);
		expect(mailboxDay(MAILBOX_DAY_MS - 1)).toBe(0);
		expect(mailboxDay(Date.UTC(2025, 0, 1))).toBe(20089);
		expect(watchedDays(Date.UTC(2025, 0, 1, 23, 59))).toEqual([20088, 20089]);
		expect(watchedDays(5)).toEqual([0]);
		expect(WATCHED_DAYS).toBe(2);
	});

	it('refuses bad input', () => {
		expect(() => mailboxDay(-1)).toThrow(RangeError);
		expect(() => mailboxDay(Number.NaN)).toThrow(RangeError);
		expect(() => inboxMailbox(bob.id, 1.5)).toThrow(RangeError);
		expect(() => inboxMailbox(bob.id, 2 ** 32)).toThrow(RangeError);
		expect(() => inboxMailbox('did:key:zNope' as never, 1)).toThrow(InvalidIdError);
		expect(() => pairMailbox(new Uint8Array(31), bob.id, 1)).toThrow(RangeError);
		expect(() => pairMailboxKey(alice, new Uint8Array(32))).toThrow(InvalidKeyError);
		expect(() => pairMailboxKey(alice, new Uint8Array(33))).toThrow(RangeError);
	});
});
