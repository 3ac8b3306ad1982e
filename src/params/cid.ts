/**
 * Route param matcher for content ids: `/c/[cid=cid]` only matches a text CID (CIDv0 `Qm…` or
 * CIDv1 in base32 / base58btc), so a mistyped share link is a 404 before any page code runs.
 */
import { CID } from 'multiformats/cid';

/** Longest CID text accepted; a CIDv1 with a 512-bit digest in base32 is under 120 characters. */
export const MAX_CID_TEXT_LENGTH = 256;

/**
 * Match a CID route param.
 * @param param - the path segment, already URL-decoded
 * @returns the param unchanged when it parses as a CID, else undefined (no match)
 */
export function matchCid(param: string): string | undefined {
	if (param.length === 0 || param.length > MAX_CID_TEXT_LENGTH) return undefined;
	try {
		// CID.parse reads the multibase prefix (CIDv1) or base58btc without one (CIDv0, Qm…) and
		// checks the version, codec and multihash framing (multiformats CID spec).
		CID.parse(param);
		return param;
	} catch {
		return undefined;
	}
}
