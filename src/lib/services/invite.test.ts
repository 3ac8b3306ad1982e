import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInviteError, MalformedError } from '../core/errors.ts';
import { createIdentity } from '../core/identity.ts';
import { checkDisplayName, encodeInvite, MAX_INVITE_LENGTH, MAX_INVITE_RELAYS, parseInvite } from './invite.ts';

const { id } = createIdentity();

describe('invites', () => {
	it('writes both forms', () => {
		expect(encodeInvite({ id, name: 'Zoë Li', relays: ['wss://b.example/'] }, { base: 'https://relay.example/' })).toBe(
			`https://relay.example/#/invite/${id}?n=Zo%C3%AB%20Li&r=https%3A%2F%2Fb.example`
		);
		expect(encodeInvite({ id, relays: [] })).toBe(`miaou:${id}`);
		expect(encodeInvite({ id, name: 'A&B=C', relays: [] })).toBe(`miaou:${id}?n=A%26B%3DC`);
	});

	it('reads links, codes and bare ids', () => {
		expect(parseInvite(`https://relay.example/#/invite/${id}?n=Zo%C3%AB%20Li&r=https%3A%2F%2Fb.example`)).toEqual({
			id,
			name: 'Zoë Li',
			relays: ['https://relay.example', 'https://b.example']
		});
		expect(parseInvite(`  MIAOU:${id}?n=Bob&x=later-extension \n`)).toEqual({ id, name: 'Bob', relays: [] });
		expect(parseInvite(id)).toEqual({ id, relays: [] });
		expect(parseInvite(`https://relay.example/#/invite/${id}`)).toEqual({ id, relays: ['https://relay.example'] });
	});

	it('round-trips any valid invite', () => {
		const name = fc
			.string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
			.map((s) => s.normalize('NFC').trim())
			.filter((s) => {
				try {
					checkDisplayName(s);
					return true;
				} catch {
					return false;
				}
			});
		fc.assert(
			fc.property(fc.option(name, { nil: undefined }), fc.boolean(), (n, link) => {
				const invite = { id, ...(n !== undefined ? { name: n } : {}), relays: ['https://x.example'] };
				const text = encodeInvite(invite, link ? { base: 'https://x.example' } : {});
				expect(parseInvite(text)).toEqual(invite);
			}),
			{ numRuns: 100 }
		);
	});

	it('refuses bad invites with a named error', () => {
		const bad = [
			'x'.repeat(MAX_INVITE_LENGTH + 1),
			'hello',
			'miaou:did:key:z6MkNotAKey',
			`https://relay.example/#/chat/${id}`,
			`https://relay.example/#/invite/${id}?n=`,
			`https://relay.example/#/invite/${id}?n=a%E2%80%AEb`,
			`miaou:${id}?n=A&n=B`,
			`miaou:${id}?r=ftp%3A%2F%2Fx`,
			`miaou:${id}?r=https%3A%2F%2Fu%3Ap%40x.example`,
			`miaou:${id}?${Array.from({ length: MAX_INVITE_RELAYS + 1 }, (_, i) => `r=https%3A%2F%2Fr${i}.example`).join('&')}`,
			`miaou:${encodeURIComponent(id).slice(0, -1)}%`,
			`https://[bad/#/invite/${id}`
		];
		for (const text of bad) expect(() => parseInvite(text), text.slice(0, 80)).toThrow(InvalidInviteError);
		expect(() => parseInvite(42 as never)).toThrow(InvalidInviteError);
		expect(() => encodeInvite({ id, relays: ['mailto:x'] })).toThrow(MalformedError);
		expect(() => encodeInvite({ id, name: 'x'.repeat(65), relays: [] })).toThrow(MalformedError);
	});
});
