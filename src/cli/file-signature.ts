/**
 * Detached file signatures made by `miaou sign` and checked by `miaou verify` (docs/cli.md,
 * "File signatures").
 *
 * The Ed25519 signature (RFC 8032 §5.1, PureEdDSA) is over the 88-byte message
 *
 *     "miaou/v1/file-signature" ‖ 0x00 ‖ SHA-512(file bytes)
 *
 * - The domain prefix keeps a file signature from ever being valid as any other Miaou signature,
 *   and the reverse: records sign `miaou/v1/record\n ‖ …` and the agreement key
 *   `miaou/v1/agreement-key ‖ …`, so the messages differ from their tenth byte on.
 * - Signing the SHA-512 digest rather than the raw bytes lets both commands stream a file of any
 *   size in constant memory; Ed25519 already relies on SHA-512, so no weaker assumption is added.
 *   Anyone can check a signature with other tools: hash the file, prepend the prefix, verify.
 *
 * The signature's text form is base64url without padding (RFC 4648 §5): exactly 86 characters.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { concat, fromBase64url, toBase64url, utf8 } from '../lib/core/bytes.ts';
import { SIGNATURE_LENGTH } from '../lib/core/ed25519.ts';
import { FileAccessError, MalformedError } from '../lib/core/errors.ts';
import { fileError } from './home.ts';

/** The domain-separation prefix of a file signature (followed by one zero byte). */
export const FILE_SIGNATURE_DOMAIN = 'miaou/v1/file-signature';
/** SHA-512 digest length in bytes. */
export const FILE_DIGEST_LENGTH = 64;
/** Length of a signature in its base64url text form. */
export const SIGNATURE_TEXT_LENGTH = 86;
/** Largest signature file accepted (the text plus generous room for whitespace). */
export const MAX_SIGNATURE_FILE_BYTES = 1024;

const DOMAIN_BYTES = concat(utf8(FILE_SIGNATURE_DOMAIN), new Uint8Array([0]));
const SIGNATURE_TEXT = /^[A-Za-z0-9_-]{86}$/;

/**
 * The exact bytes a file signature covers.
 * @param digest - SHA-512 of the file, 64 bytes
 * @returns prefix ‖ 0x00 ‖ digest
 * @throws {RangeError} when the digest is not 64 bytes
 */
export function fileSignatureMessage(digest: Uint8Array): Uint8Array {
	if (!(digest instanceof Uint8Array)) throw new TypeError('digest must be a Uint8Array');
	if (digest.length !== FILE_DIGEST_LENGTH)
		throw new RangeError(`digest must be ${FILE_DIGEST_LENGTH} bytes, got ${digest.length}`);
	return concat(DOMAIN_BYTES, digest);
}

/**
 * The text form of a signature.
 * @param signature - 64 bytes
 * @returns 86 base64url characters
 * @throws {RangeError} when the signature is not 64 bytes
 */
export function formatSignature(signature: Uint8Array): string {
	if (signature.length !== SIGNATURE_LENGTH)
		throw new RangeError(`signature must be ${SIGNATURE_LENGTH} bytes, got ${signature.length}`);
	return toBase64url(signature);
}

/**
 * True when `text` has the shape of a signature (86 base64url characters), so an argument can be
 * taken as the signature itself rather than as the name of a signature file.
 * @param text - a command-line argument
 * @returns whether it looks like a signature
 */
export function looksLikeSignature(text: string): boolean {
	return SIGNATURE_TEXT.test(text);
}

/**
 * Parse a signature's text form; surrounding whitespace (a trailing newline) is allowed.
 * @param text - the signature text or the content of a signature file
 * @returns the 64 signature bytes
 * @throws {MalformedError} when it is not 86 base64url characters encoding 64 bytes
 */
export function parseSignature(text: string): Uint8Array {
	const trimmed = text.trim();
	if (!SIGNATURE_TEXT.test(trimmed))
		throw new MalformedError(
			'The signature',
			`expected ${SIGNATURE_TEXT_LENGTH} base64url characters, got ${trimmed.length} characters`
		);
	try {
		return fromBase64url(trimmed);
	} catch {
		throw new MalformedError('The signature', 'its last character is not valid base64url for 64 bytes');
	}
}

/**
 * SHA-512 of a file, streamed.
 * @param path - the file
 * @param signal - aborts the read
 * @returns the 64-byte digest
 * @throws {NoSuchFileError | FileAccessError} when it cannot be read
 */
export async function hashFile(path: string, signal?: AbortSignal): Promise<Uint8Array> {
	try {
		if (!(await stat(path)).isFile()) throw new FileAccessError(path, 'it is not a regular file');
		const hash = createHash('sha512');
		for await (const chunk of createReadStream(path, { signal })) hash.update(chunk as Buffer);
		return new Uint8Array(hash.digest());
	} catch (err) {
		throw fileError(err, path);
	}
}
