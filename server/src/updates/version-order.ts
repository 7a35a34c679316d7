// Release versions are semantic versions (1.4.0, 2.0.0-rc.1); build metadata is ignored.
const VERSION = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export function isVersion(text: string): boolean {
  return VERSION.test(text);
}

/** <0 when a is older than b, 0 when equal, >0 when newer. Throws on a non-version. */
export function compareVersions(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) {
    const diff = (pa.numbers[i] ?? 0) - (pb.numbers[i] ?? 0);
    if (diff !== 0) return diff;
  }
  // A pre-release comes before its release.
  if (pa.pre === undefined || pb.pre === undefined) return (pa.pre === undefined ? 1 : 0) - (pb.pre === undefined ? 1 : 0);
  const xa = pa.pre.split('.');
  const xb = pb.pre.split('.');
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    const ia = xa[i];
    const ib = xb[i];
    if (ia === undefined || ib === undefined) return ia === undefined ? -1 : 1;
    const na = /^\d+$/.test(ia) ? Number(ia) : undefined;
    const nb = /^\d+$/.test(ib) ? Number(ib) : undefined;
    if (na !== undefined && nb !== undefined) {
      if (na !== nb) return na - nb;
    } else if (ia !== ib) {
      return ia < ib ? -1 : 1;
    }
  }
  return 0;
}

function parse(text: string): { numbers: number[]; pre: string | undefined } {
  const match = VERSION.exec(text);
  if (!match) throw new Error(`"${text}" is not a version (major.minor.patch)`);
  return { numbers: [Number(match[1]), Number(match[2]), Number(match[3])], pre: match[4] };
}
