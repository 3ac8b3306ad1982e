import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import * as raw from 'multiformats/codecs/raw';
import { describe, expect, it } from 'vitest';
import { createIdentity } from '../lib/core/identity.ts';
import { matchCid, MAX_CID_TEXT_LENGTH } from './cid.ts';
import { matchId } from './id.ts';
import { params } from './index.ts';

describe('cid matcher', () => {
	it('accepts CIDv1 (base32) and CIDv0 (base58btc)', async () => {
		const v1 = CID.create(1, raw.code, await sha256.digest(new TextEncoder().encode('hello'))).toString();
		expect(matchCid(v1)).toBe(v1);
		const v0 = 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG';
		expect(matchCid(v0)).toBe(v0);
	});

	it('refuses text that is not a CID, and over-long text before parsing', () => {
		for (const bad of ['', 'not-a-cid', 'bafy', 'Qm123', 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzd!'])
			expect(matchCid(bad), bad).toBeUndefined();
		expect(matchCid(`b${'a'.repeat(MAX_CID_TEXT_LENGTH)}`)).toBeUndefined();
	});
});

describe('id matcher', () => {
	it('accepts a Miaou id and refuses damaged ones', () => {
		const id = createIdentity().id;
		expect(matchId(id)).toBe(id);
		expect(matchId(id.slice(0, -1))).toBeUndefined();
		expect(matchId(id.replace('did:key:', 'did:web:'))).toBeUndefined();
		expect(matchId('did:key:zNotAKey')).toBeUndefined();
		expect(matchId(`${id}${'1'.repeat(200)}`)).toBeUndefined();
	});
});

describe('defineParams export', () => {
	it('exposes both matchers as standard schemas that SvelteKit calls', async () => {
		const id = createIdentity().id;
		expect(await params.id['~standard'].validate(id)).toEqual({ value: id });
		expect(await params.id['~standard'].validate('did:key:zBad')).toHaveProperty('issues');
		expect(await params.cid['~standard'].validate('nope')).toHaveProperty('issues');
	});
});
