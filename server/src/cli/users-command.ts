import { openSecurity, PasswordPolicyError, SecurityError } from '@loopedge/security';
import { ensureDataDir, resolveDataDir } from '../bootstrap/data-dir.js';
import { StartupError } from '../bootstrap/startup-error.js';
import type { UsersAddOptions } from './args.js';
import { readPassword } from './password-input.js';
import type { CliIo } from './run-cli.js';

/**
 * `loopedge users add`: creates a user in the data folder, as the setup link
 * does for the first administrator. Works while `loopedge start` runs on the
 * same folder (SQLite allows both).
 */
export async function addUser(options: UsersAddOptions, io: CliIo): Promise<number> {
  const dataDir = resolveDataDir(options.data, io.env);
  ensureDataDir(dataDir);
  if (!io.stdin) throw new StartupError('usage', 'users add needs a password on standard input.');
  let password: string;
  try {
    password = await readPassword({ input: io.stdin, output: { write: io.stderr } });
  } catch (error) {
    throw new StartupError('usage', (error as Error).message);
  }
  if (password === '') throw new StartupError('usage', 'No password given: pipe it on standard input or type it at the prompt.');
  const security = await openSecurity({ dataDir });
  try {
    const user = await security.users.create({ username: options.username, password, role: options.role });
    security.audit.append({ actor: 'command line', action: 'user.create', target: user.username, outcome: 'success', details: { role: user.role, via: 'loopedge users add' } });
    io.stdout(`Created ${user.role} "${user.username}" (id ${user.id}) in ${dataDir}.\n`);
    return 0;
  } catch (error) {
    if (error instanceof PasswordPolicyError) {
      throw new StartupError('usage', 'The password was rejected; nothing was created:', error.reasons);
    }
    if (error instanceof SecurityError) throw new StartupError('usage', `${error.message} Nothing was created.`);
    throw error;
  } finally {
    security.close();
  }
}
