/**
 * The environment flows see (`env.get`, `${VAR}` properties, function nodes).
 * Node-RED hands flows the whole process environment; we do too, so site
 * variables keep working, except LoopEdge's own secrets: a flow (or an imported
 * one) must never read the key that decrypts every node's credentials.
 */
const WITHHELD_FROM_FLOWS: readonly string[] = ['LOOPEDGE_CREDENTIAL_KEY'];

export function flowEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const visible: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) if (!WITHHELD_FROM_FLOWS.includes(name)) visible[name] = value;
  return visible;
}
