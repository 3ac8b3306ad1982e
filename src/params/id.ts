/**
 * Route param matcher for Miaou ids: `/contacts/[id=id]` only matches a well-formed
 * `did:key:z6Mk…` Ed25519 id, so a damaged invite link is a 404 before any page code runs.
 */
import { isMiaouId, type MiaouId } from '../lib/core/identity.ts';

/** Longest id text looked at; a did:key for an Ed25519 key is 56 characters. */
export const MAX_ID_TEXT_LENGTH = 128;

/**
 * Match a Miaou id route param.
 * @param param - the path segment, already URL-decoded
 * @returns the param, typed, when it is a valid Miaou id, else undefined (no match)
 */
export function matchId(param: string): MiaouId | undefined {
	if (param.length > MAX_ID_TEXT_LENGTH) return undefined;
	return isMiaouId(param) ? param : undefined;
}
