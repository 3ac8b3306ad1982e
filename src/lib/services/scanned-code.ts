/**
 * What a scanned QR code means to Miaou (docs/web-app.md §Scanning a QR code), and what a
 * camera failure means to a person. Pure: no DOM, no camera; the scanner (browser/qr-scan.ts,
 * components/contacts/QrScanner.svelte) feeds it the decoded text or the thrown error.
 *
 * A QR code can hold any text, so the decoded text is untrusted input like a pasted link: it is
 * size-checked first, then read by the same parser as the Add-contact field (services/invite.ts
 * `parseInvite`), so a scan and a paste accept and refuse exactly the same things.
 */
import { InvalidInviteError } from '../core/errors.ts';
import { INVITE_ROUTE, INVITE_SCHEME, MAX_INVITE_LENGTH, parseInvite, type Invite } from './invite.ts';

/**
 * Longest decoded text looked at. The invite limit: a longer text cannot be an invite, and a QR
 * code holds at most 2,953 bytes (ISO/IEC 18004:2015 Table 7, version 40-L, byte mode) anyway.
 */
export const MAX_SCANNED_TEXT_LENGTH = MAX_INVITE_LENGTH;

/** The meaning of one decoded QR code. */
export type ScannedCode =
	/** A Miaou invite (link, `miaou:` code or bare id), already checked by `parseInvite`. */
	| { kind: 'invite'; text: string; invite: Invite }
	/** It claims to be a Miaou invite (our scheme, id form or invite route) but does not check out. */
	| { kind: 'broken'; text: string; error: InvalidInviteError }
	/** Some other QR code: a web site, a Wi-Fi login, plain text. */
	| { kind: 'foreign' }
	/** Empty, or longer than {@link MAX_SCANNED_TEXT_LENGTH}: not looked at. */
	| { kind: 'unreadable' };

/** Does the text look like it was meant to be a Miaou invite, before any check? */
function claimsToBeInvite(text: string): boolean {
	const lower = text.toLowerCase();
	if (lower.startsWith(INVITE_SCHEME) || lower.startsWith('did:key:')) return true;
	if (!/^https?:\/\//.test(lower)) return false;
	const hash = text.indexOf('#');
	return hash >= 0 && text.slice(hash + 1).startsWith(INVITE_ROUTE);
}

/**
 * Decide what a decoded QR text is: an invite to hand to the add-contact flow, a damaged invite
 * (say why), or something that is not Miaou's (say so, keep scanning).
 * @param text - the decoded text, untrusted
 * @returns its meaning; never throws for any string
 * @throws {TypeError} when `text` is not a string
 * @example readScannedCode('miaou:did:key:z6Mk…').kind === 'invite'
 */
export function readScannedCode(text: string): ScannedCode {
	if (typeof text !== 'string') throw new TypeError('text must be a string');
	// Bounds first: the length check runs before any trimming or parsing.
	if (text.length === 0 || text.length > MAX_SCANNED_TEXT_LENGTH) return { kind: 'unreadable' };
	const input = text.trim();
	if (input.length === 0) return { kind: 'unreadable' };
	if (!claimsToBeInvite(input)) return { kind: 'foreign' };
	try {
		return { kind: 'invite', text: input, invite: parseInvite(input) };
	} catch (error) {
		if (error instanceof InvalidInviteError) return { kind: 'broken', text: input, error };
		throw error;
	}
}

/** Why the camera could not be used, in the words the UI has a sentence for. */
export type CameraProblem =
	/** The person or the browser's settings refused the camera. */
	| 'denied'
	/** No camera, or none that matches (an old laptop, a desktop). */
	| 'no-camera'
	/** The camera exists but another app or tab holds it, or the hardware failed. */
	| 'busy'
	/** The page cannot ask at all: no `navigator.mediaDevices` (not a secure context, old browser). */
	| 'unsupported'
	/** Anything else. */
	| 'failed';

/**
 * Map a `getUserMedia` failure to a {@link CameraProblem}. The names are the ones the Media
 * Capture and Streams spec (W3C, §10.2.1 getUserMedia) rejects with, plus what browsers throw in
 * practice (Chrome's `NotReadableError` "Could not start video source" when the camera is in use).
 * @param error - whatever getUserMedia rejected with
 * @returns the problem to explain
 */
export function cameraProblem(error: unknown): CameraProblem {
	const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
	switch (name) {
		case 'NotAllowedError':
		case 'PermissionDeniedError': // Chrome before 60
		case 'SecurityError':
			return 'denied';
		case 'NotFoundError':
		case 'DevicesNotFoundError': // Chrome before 60
		case 'OverconstrainedError':
			return 'no-camera';
		case 'NotReadableError':
		case 'TrackStartError': // Chrome before 60
		case 'AbortError':
			return 'busy';
		case 'TypeError':
			return 'unsupported';
		default:
			return 'failed';
	}
}
