import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInviteError } from '../core/errors.ts';
import { createIdentity } from '../core/identity.ts';
import { encodeInvite } from './invite.ts';
import { cameraProblem, MAX_SCANNED_TEXT_LENGTH, readScannedCode, type ScannedCode } from './scanned-code.ts';

const { id } = createIdentity();
const link = encodeInvite({ id, name: 'Bob', relays: [] }, { base: 'http://127.0.0.1:8080' });

function kind(code: ScannedCode): string {
	return code.kind;
}

describe('readScannedCode', () => {
	it('reads an invite link, a miaou: code and a bare id like the Add-contact field does', () => {
		const fromLink = readScannedCode(link);
		expect(fromLink).toEqual({
			kind: 'invite',
			text: link,
			invite: { id, name: 'Bob', relays: ['http://127.0.0.1:8080'] }
		});
		expect(readScannedCode(`miaou:${id}?n=Zo%C3%AB`)).toMatchObject({ kind: 'invite', invite: { id, name: 'Zoë' } });
		expect(readScannedCode(`MIAOU:${id}`)).toMatchObject({ kind: 'invite', invite: { id, relays: [] } });
		expect(readScannedCode(`  ${id}\n`)).toEqual({ kind: 'invite', text: id, invite: { id, relays: [] } });
	});

	it('calls other QR codes foreign, whatever they hold', () => {
		for (const text of [
			'https://example.org/not-miaou',
			'https://example.org/#/other/route',
			'http://example.org/invite/did:key:z6Mk', // the route outside the fragment
			'WIFI:S:home;T:WPA;P:secret;;',
			'did:web:example.org',
			'hello',
			'mailto:a@example.org'
		])
			expect(kind(readScannedCode(text)), text).toBe('foreign');
	});

	it('calls a damaged invite broken, with the reason parseInvite gives', () => {
		const cases = [
			`miaou:${id.slice(0, -3)}`, // cut short
			`miaou:${id}?n=%E2%80%AEevil`, // bidi override in the name
			`${link}&r=ftp%3A%2F%2Fx`, // a relay that is not http(s)
			'did:key:z6MkNOPE',
			`https://relay.example/#/invite/not-an-id`
		];
		for (const text of cases) {
			const code = readScannedCode(text);
			expect(code.kind, text).toBe('broken');
			if (code.kind === 'broken') expect(code.error).toBeInstanceOf(InvalidInviteError);
		}
	});

	it('does not look at empty or oversized text', () => {
		expect(readScannedCode('')).toEqual({ kind: 'unreadable' });
		expect(readScannedCode(' \n\t ')).toEqual({ kind: 'unreadable' });
		// Padding after a valid invite still counts against the limit: the length is checked first.
		const padded = `${id}${' '.repeat(MAX_SCANNED_TEXT_LENGTH - id.length + 1)}`;
		expect(readScannedCode(padded)).toEqual({ kind: 'unreadable' });
		expect(readScannedCode(`${id}${' '.repeat(MAX_SCANNED_TEXT_LENGTH - id.length)}`).kind).toBe('invite');
		expect(() => readScannedCode(42 as unknown as string)).toThrow(TypeError);
	});

	it('never throws and returns a known kind for any text', () => {
		fc.assert(
			fc.property(
				fc.oneof(
					fc.string({ maxLength: 300 }),
					fc.string({ maxLength: 80 }).map((s) => `miaou:${s}`),
					fc.string({ maxLength: 80 }).map((s) => `https://r.example/#/invite/${s}`)
				),
				(text) => {
					expect(['invite', 'broken', 'foreign', 'unreadable']).toContain(readScannedCode(text).kind);
				}
			),
			{ numRuns: 300 }
		);
	});
});

describe('cameraProblem', () => {
	const domError = (name: string) => Object.assign(new Error('x'), { name });

	it('maps getUserMedia rejections to the sentences people need', () => {
		expect(cameraProblem(domError('NotAllowedError'))).toBe('denied');
		expect(cameraProblem(domError('SecurityError'))).toBe('denied');
		expect(cameraProblem(domError('PermissionDeniedError'))).toBe('denied');
		expect(cameraProblem(domError('NotFoundError'))).toBe('no-camera');
		expect(cameraProblem(domError('OverconstrainedError'))).toBe('no-camera');
		expect(cameraProblem(domError('NotReadableError'))).toBe('busy');
		expect(cameraProblem(domError('AbortError'))).toBe('busy');
		expect(cameraProblem(new TypeError('navigator.mediaDevices is undefined'))).toBe('unsupported');
		expect(cameraProblem(domError('SomethingNew'))).toBe('failed');
		expect(cameraProblem('a string')).toBe('failed');
		expect(cameraProblem(null)).toBe('failed');
	});
});
