import { Mosquitto } from '@loopedge/nodes/testing/mosquitto';

export { freePort } from '@loopedge/nodes/testing/mosquitto';

/**
 * Debian's Mosquitto for the benchmark: the tests' wrapper (127.0.0.1,
 * anonymous, no persistence, no per-client queue limits, so losses, if any,
 * are the engines'), with Nagle's algorithm off: with it, a small publish can
 * wait for the delayed ACK of the previous one (40 ms on Linux), which puts the
 * same ~40 ms into both engines' p99 and hides the difference the latency
 * target is about. Stop it with dispose() (the config folder goes too).
 */
export function benchMosquitto(): Mosquitto {
  return new Mosquitto({ extraConfig: ['set_tcp_nodelay true'] });
}
