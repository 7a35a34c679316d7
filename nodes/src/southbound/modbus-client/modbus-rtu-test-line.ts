import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IServiceVector } from 'modbus-serial/ServerTCP.js';
import type { ServerSerial } from 'modbus-serial/ServerSerial.js';

const { ServerSerial: ServerSerialClass } = createRequire(import.meta.url)('modbus-serial') as { ServerSerial: typeof ServerSerial };

/**
 * A serial line for tests without hardware: socat joins two pseudo-terminals
 * (apt package `socat`), a real Modbus RTU device (modbus-serial's
 * ServerSerial, backed by arrays the test reads and writes) answers on one
 * end, and the node under test opens the other (`clientPath`).
 */
export class TestRtuLine {
  readonly holding = new Array<number>(100).fill(0);
  readonly coils = new Array<boolean>(100).fill(false);
  readonly #dir = mkdtempSync(join(tmpdir(), 'loopedge-rtu-'));
  readonly clientPath = join(this.#dir, 'client');
  readonly devicePath = join(this.#dir, 'device');
  #socat: ChildProcess | undefined;
  #device: ServerSerial | undefined;

  constructor(readonly unitId = 1) {}

  async start(baudRate = 19200): Promise<this> {
    this.#socat = spawn('socat', [`pty,raw,echo=0,link=${this.clientPath}`, `pty,raw,echo=0,link=${this.devicePath}`], { stdio: 'ignore' });
    const exited = new Promise<never>((_, reject) => this.#socat!.once('error', (error) => reject(new Error(`socat did not start (is the apt package "socat" installed?): ${error.message}`))));
    for (let i = 0; i < 200 && !(existsSync(this.clientPath) && existsSync(this.devicePath)); i++) {
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 10)), exited]);
    }
    if (!existsSync(this.devicePath)) throw new Error('socat did not create the pseudo-terminal pair');
    const vector: IServiceVector = {
      getHoldingRegister: (addr: number) => this.holding[addr] ?? 0,
      getCoil: (addr: number) => this.coils[addr] ?? false,
      setRegister: (addr: number, value: number) => {
        this.holding[addr] = value;
      },
      setCoil: (addr: number, value: boolean) => {
        this.coils[addr] = value;
      },
    };
    const device = new ServerSerialClass(vector, { path: this.devicePath, baudRate, unitID: this.unitId });
    await new Promise<void>((resolve, reject) => {
      device.on('initialized', () => resolve());
      device.on('error', reject);
    });
    this.#device = device;
    return this;
  }

  async stop(): Promise<void> {
    const device = this.#device;
    this.#device = undefined;
    if (device) await new Promise<void>((resolve) => device.close(() => resolve()));
    const socat = this.#socat;
    this.#socat = undefined;
    if (socat && socat.exitCode === null) {
      const gone = new Promise((resolve) => socat.once('exit', resolve));
      socat.kill('SIGTERM');
      await gone;
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
