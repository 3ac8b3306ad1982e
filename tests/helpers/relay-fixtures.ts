/**
 * Signed records for the relay's tests and benchmark, made with the core's own signer
 * (records.ts `signRecord`) and node:crypto Ed25519 so that hundreds can be made quickly.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';
import { concat, fromBase64url, toBase64url } from '../../src/lib/core/bytes.ts';
import type { SigningKeyPair } from '../../src/lib/core/ed25519.ts';
import { idFromSigningKey, type MiaouId } from '../../src/lib/core/identity.ts';
import { powBits } from '../../src/lib/core/pow.ts';
import { boxPowChallenge, signRecord, type SignedRecord } from '../../src/lib/core/records.ts';
import { nodeEd25519 } from '../../src/lib/node/ed25519-node.ts';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** What a record signer needs: its id and its Ed25519 key pair. */
export interface Signer {
	id: MiaouId;
	signing: SigningKeyPair;
}

/** A fresh Ed25519 key pair from node:crypto (tweetnacl's key generation is ~100× slower). */
function keyPair(): SigningKeyPair {
	const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
	const seed = fromBase64url(jwk.d!);
	const publicKey = fromBase64url(jwk.x!);
	return { publicKey, secretKey: concat(seed, publicKey) };
}

/** A new signer with a random key (an identity without its X25519 half, which records do not use). */
export function identity(): Signer {
	const signing = keyPair();
	return { id: idFromSigningKey(signing.publicKey), signing };
}

/**
 * A signed trust record: soul `miaou/v1/trust/<author>`, key the target's id.
 * @param author - the signer
 * @param target - the id the statement is about
 * @param state - the Gun state to sign (integer ms); the body's time is the same
 * @param level - trust level −100..100
 */
export function trustRecord(author: Signer, target: string, state: number, level = 50): Promise<SignedRecord> {
	return signRecord('trust', {
		author: author.id,
		key: target,
		body: { level, time: Math.min(state, Date.now()) },
		state,
		signer: author.signing,
		ed25519: nodeEd25519
	});
}

/** A CIDv1 (raw, sha2-256) of some bytes, in the canonical base32 form a box entry needs. */
export function rawCid(bytes: Uint8Array): string {
	return CID.createV1(0x55, createDigest(0x12, sha256(bytes))).toString();
}

/**
 * A signed box entry (mailbox pointer) with a proof of work of `bits` bits.
 * @param bits - PoW difficulty the signer solves
 * @param state - the Gun state
 */
export async function boxRecord(bits: number, state: number): Promise<SignedRecord> {
	return signRecord('box', {
		author: toBase64url(randomBytes(32)),
		key: toBase64url(randomBytes(16)),
		body: { cid: rawCid(randomBytes(64)), size: 64 },
		state,
		signer: keyPair(),
		ed25519: nodeEd25519,
		powBits: bits
	});
}

/**
 * A box entry whose proof of work is certainly below `required` bits (signed with none, re-made
 * in the rare case the nonce 0 happens to reach it), to test the relay's PoW check.
 */
export async function weakBoxRecord(required: number, state: number): Promise<SignedRecord> {
	for (let i = 0; i < 20; i++) {
		const rec = await boxRecord(0, state);
		const body = (JSON.parse(rec.value) as { b: { cid: string; size: number; otk: string; pow: number } }).b;
		const got = powBits(boxPowChallenge(rec.soul, rec.key, body, rec.state), body.pow);
		if (got < required) return rec;
	}
	throw new Error('could not make a box entry with a weak proof of work');
}
