// For tests (here and in server/): a Security over a fresh temporary data folder,
// with the lowest allowed bcrypt cost and a clock the test moves by hand.
import { generateSync } from 'otplib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openSecurity } from '../open-security.js';
import { TOTP_PERIOD_SECONDS } from '../two-factor/totp-check.js';
import type { Security, SecurityOptions } from '../types.js';

export interface FakeClock {
  now(): number;
  advance(ms: number): void;
}

export interface TestSecurity {
  security: Security;
  dataDir: string;
  clock: FakeClock;
  /** Opens a second Security over the same folder, key and clock (a restart). Close it yourself. */
  reopen(): Promise<Security>;
  /** Closes the Security and deletes the folder. */
  close(): void;
}

export function createFakeClock(start = Date.now()): FakeClock {
  let current = start;
  return {
    now: () => current,
    advance(ms) {
      current += ms;
    },
  };
}

export async function openTestSecurity(options: Partial<SecurityOptions> = {}): Promise<TestSecurity> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'loopedge-security-'));
  const clock = createFakeClock();
  const full: SecurityOptions = { bcryptCost: 10, clock: clock.now, credentialKey: randomBytes(32), ...options, dataDir };
  const security = await openSecurity(full);
  return {
    security,
    dataDir,
    clock,
    reopen: () => openSecurity(full),
    close() {
      security.close();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The TOTP code an authenticator would show for `secret` at `nowMs`. */
export function totpCodeAt(secret: string, nowMs: number): string {
  return generateSync({ secret, period: TOTP_PERIOD_SECONDS, epoch: Math.floor(nowMs / 1000) });
}
