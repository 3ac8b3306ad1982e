import { describe, expect, it } from 'vitest';
import { displayNameProblem, MAX_DISPLAY_NAME_LENGTH, normalizeDisplayName } from './display-name.ts';

describe('display names', () => {
	it('trims, collapses white space and composes to NFC', () => {
		expect(normalizeDisplayName('  Alice \t\n Liddell  ')).toBe('Alice Liddell');
		expect(normalizeDisplayName('Zoe\u0301')).toBe('Zoé');
	});

	it('removes controls and bidi overrides that could disguise a name', () => {
		expect(normalizeDisplayName('Al\u202eecila\u202c')).toBe('Alecila');
		expect(normalizeDisplayName('A\u0000B\u0007C\u2066D\u2069')).toBe('ABCD');
	});

	it('keeps markup as typed (it is shown as text, never parsed)', () => {
		expect(normalizeDisplayName('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
	});

	it('refuses empty and over-long names, counting characters not UTF-16 units', () => {
		expect(displayNameProblem('')).toBe('empty');
		expect(displayNameProblem(normalizeDisplayName(' \u202e '))).toBe('empty');
		expect(displayNameProblem('a'.repeat(MAX_DISPLAY_NAME_LENGTH))).toBeNull();
		expect(displayNameProblem('a'.repeat(MAX_DISPLAY_NAME_LENGTH + 1))).toBe('too-long');
		expect(displayNameProblem('🐱'.repeat(MAX_DISPLAY_NAME_LENGTH))).toBeNull();
	});
});
