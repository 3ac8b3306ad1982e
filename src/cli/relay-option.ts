/**
 * The `--relay <url>` option of the network commands (docs/cli.md "Relays"). Kept apart from
 * network.ts, which loads Gun and the relay pool, so that registering the commands stays light.
 */
import type { Command } from 'commander';

/** The environment variable listing relays, comma-separated, when no `--relay` is given. */
export const RELAYS_ENV = 'MIAOU_RELAYS';

/** The option every network command takes. */
export interface RelayOptions {
	relay?: string[];
}

function collect(value: string, previous: string[] | undefined): string[] {
	return [...(previous ?? []), value];
}

/**
 * Add `--relay <url>` (repeatable) to a command.
 * @param cmd - the command
 * @returns the same command
 */
export function withRelayOption(cmd: Command): Command {
	return cmd.option(
		'--relay <url>',
		`a relay to use, e.g. https://relay.example.org (repeatable; default: $${RELAYS_ENV}, comma-separated)`,
		collect
	);
}
