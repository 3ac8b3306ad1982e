/**
 * `miaou relay`: mounted lazily. The relay's command (relay/command.ts) pulls in Gun, Helia and
 * libp2p, which take long to load; `miaou id …` and `miaou sign …` must start fast. So `main`
 * imports the relay's command only when `relay` is the command being run (or its help is asked
 * for), and mounts a light placeholder otherwise, which only lists `relay` in `miaou --help`.
 */
import { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../lib/core/errors.ts';
import { exists } from '../home.ts';

/** Where the relay's command module is: it exports `relayCommand(): Command`. */
export const RELAY_MODULE_URL = new URL('../../../relay/command.ts', import.meta.url);

/** The one-line description `miaou --help` shows for `relay`. */
export const RELAY_SUMMARY = 'run a community relay (details: miaou relay --help)';

/**
 * Import the relay's command.
 * @param url - the module to import (a test can point at another)
 * @returns the relay's `Command`, or undefined when the module is not there (an install without the relay)
 * @throws whatever the module throws while loading, other than its own absence
 * @throws {Error} when the module does not export `relayCommand(): Command` (a bug, exit 3)
 */
export async function loadRelayCommand(url: URL = RELAY_MODULE_URL): Promise<Command | undefined> {
	// Only the absence of the module itself means "no relay": once it exists, any error while loading
	// it (a missing dependency, a syntax error) is a real failure and propagates.
	if (!(await exists(fileURLToPath(url)))) return undefined;
	const mod = (await import(url.href)) as { relayCommand?: unknown };
	const command: unknown = typeof mod.relayCommand === 'function' ? (mod.relayCommand as () => unknown)() : undefined;
	if (!(command instanceof Command)) throw new Error(`${url.pathname} does not export relayCommand(): Command`);
	return command;
}

/**
 * The stand-in for `relay`: listed in `miaou --help`; when run (the relay module is missing), it
 * says so in one sentence.
 * @returns a `relay` command that accepts anything and refuses to run
 */
export function relayPlaceholder(): Command {
	return new Command('relay')
		.summary(RELAY_SUMMARY)
		.description('Run a community relay. The relay is not part of this installation.')
		.allowUnknownOption()
		.allowExcessArguments()
		.action(() => {
			throw new UsageError('The relay is not part of this installation of Miaou.');
		});
}
