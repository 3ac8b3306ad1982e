/**
 * Test support shared by the Ed25519 tests of every path (core/ed25519.test.ts for WebCrypto and
 * tweetnacl, node/ed25519-node.test.ts for node:crypto): the RFC 8032 §7.1 vectors decoded once,
 * and the two tamperings every path must refuse — a flipped bit, and the malleable S + L twin of
 * a valid signature. Test code only: nothing in the app imports it.
 */
import rfc8032 from '../../../../tests/vectors/rfc8032-ed25519.json' with { type: 'json' };
import { fromHex } from '../bytes.ts';

/** The order of the Ed25519 base point (RFC 8032 §5.1: L = 2^252 + 27742317777372353535851937790883648493). */
export const ED25519_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

/** One RFC 8032 §7.1 test vector, decoded. */
export interface Ed25519Vector {
	name: string;
	seed: Uint8Array;
	publicKey: Uint8Array;
	message: Uint8Array;
	signature: Uint8Array;
}

/** The RFC 8032 §7.1 vectors (tests/vectors/rfc8032-ed25519.json), as bytes. */
export const RFC8032_VECTORS: readonly Ed25519Vector[] = rfc8032.vectors.map((v) => ({
	name: v.name,
	seed: fromHex(v.secretKey),
	publicKey: fromHex(v.publicKey),
	message: fromHex(v.message),
	signature: fromHex(v.signature)
}));

/**
 * S + L in place of S: the malleable twin of a valid signature, which RFC 8032 §5.1.7 step 1
 * forbids and plain tweetnacl accepts.
 * @param signature - a 64-byte detached signature (R ‖ S, S little-endian)
 * @returns a copy with S replaced by S + L (still 32 bytes: S < L < 2^253)
 */
export function withSPlusL(signature: Uint8Array): Uint8Array {
	let s = 0n;
	for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(signature[32 + i]!);
	s += ED25519_ORDER;
	const out = Uint8Array.from(signature);
	for (let i = 0; i < 32; i++) {
		out[32 + i] = Number(s & 0xffn);
		s >>= 8n;
	}
	return out;
}

/**
 * A copy of `bytes` with one bit flipped.
 * @param bytes - the input (left untouched)
 * @param index - the byte to change
 * @param bit - which bit of it, 0 (lowest) to 7
 * @returns the changed copy
 */
export function flip(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
	const out = Uint8Array.from(bytes);
	out[index]! ^= 1 << bit;
	return out;
}
