import type { Readable } from 'node:stream';

export interface PasswordSource {
  input: Readable & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };
  /** Where the prompt goes (stderr: stdout may be redirected). */
  output: { write(text: string): unknown };
}

/**
 * The password for `users add`: from a pipe, the first line of stdin (so
 * `loopedge users add ... < secret.txt` works in scripts); at a terminal,
 * typed twice without echo. Never from an argument: those end up in shell
 * history and `ps`.
 */
export async function readPassword(source: PasswordSource): Promise<string> {
  if (!source.input.isTTY) return firstLine(await readAll(source.input));
  const first = await promptHidden(source, 'Password: ');
  const second = await promptHidden(source, 'Repeat the password: ');
  if (first !== second) throw new Error('The two passwords differ; nothing was created.');
  return first;
}

async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    if (chunks.reduce((n, c) => n + c.length, 0) > 64 * 1024) throw new Error('Standard input is longer than 64 KiB; pass only the password.');
  }
  return Buffer.concat(chunks).toString('utf8');
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? '';
}

function promptHidden(source: PasswordSource, question: string): Promise<string> {
  const { input, output } = source;
  output.write(question);
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error): void => {
      input.setRawMode?.(false);
      input.off('data', onData);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new Error('Cancelled.'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.setRawMode?.(true);
    input.resume();
    input.on('data', onData);
  });
}
