#!/usr/bin/env node
/**
 * Run the relay command alone (`node relay/run.ts --port 0 …`), without the rest of the CLI:
 * used by the Dockerfile, the systemd unit and the integration tests. Prints one clear sentence
 * and exits 2 on a bad option, 1 when the relay cannot start.
 */
import { RelayConfigError } from './config.ts';
import { relayCommand } from './command.ts';

try {
	await relayCommand().parseAsync(process.argv);
} catch (err) {
	process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
	process.exit(err instanceof RelayConfigError ? 2 : 1);
}
