import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small MTConnect agent for tests: serves probe, current and sample from an
 * in-memory buffer, in the standard's document format (1.3 namespaces), on
 * 127.0.0.1 port 0. Tests append observations, restart it (new instanceId,
 * sequences start over) or make it answer broken XML.
 */

export interface TestObservation {
  component: 'Device' | 'Rotary';
  componentId: string;
  group: 'Samples' | 'Events' | 'Condition';
  element: string;
  dataItemId: string;
  value: string;
  name?: string;
  type?: string;
}

interface Stored extends TestObservation {
  sequence: number;
  timestamp: string;
}

export const PROBE_XML = `<?xml version="1.0" encoding="UTF-8"?>
<MTConnectDevices xmlns:m="urn:mtconnect.org:MTConnectDevices:1.3" xmlns="urn:mtconnect.org:MTConnectDevices:1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:mtconnect.org:MTConnectDevices:1.3 http://schemas.mtconnect.org/schemas/MTConnectDevices_1.3.xsd">
  <Header creationTime="2026-01-01T00:00:00Z" sender="test" instanceId="INSTANCE" version="1.3.0.0" assetBufferSize="1024" assetCount="0" bufferSize="131072"/>
  <Devices>
    <Device id="d1" name="VMC-3Axis" uuid="vmc-001">
      <Description manufacturer="Test">A three axis mill</Description>
      <DataItems>
        <DataItem id="avail" name="avail" type="AVAILABILITY" category="EVENT"/>
      </DataItems>
      <Components>
        <Axes id="a1" name="base">
          <Components>
            <Rotary id="c1" name="C">
              <DataItems>
                <DataItem id="c2" name="Sspeed" type="SPINDLE_SPEED" subType="ACTUAL" category="SAMPLE" units="REVOLUTION/MINUTE" nativeUnits="REVOLUTION/MINUTE"/>
                <DataItem id="c3" name="Cmode" type="ROTARY_MODE" category="EVENT"/>
                <DataItem id="c4" type="TEMPERATURE" category="CONDITION"/>
              </DataItems>
            </Rotary>
          </Components>
        </Axes>
      </Components>
    </Device>
  </Devices>
</MTConnectDevices>`;

function header(instanceId: number, first: number, next: number, last = next - 1): string {
  return `<Header creationTime="2026-01-01T00:00:00Z" sender="test" instanceId="${instanceId}" version="1.3.0.0" bufferSize="131072" nextSequence="${next}" firstSequence="${first}" lastSequence="${last}"/>`;
}

function streamsXml(instanceId: number, first: number, next: number, last: number, items: Stored[]): string {
  const byComponent = new Map<string, Stored[]>();
  for (const item of items) byComponent.set(item.componentId, [...(byComponent.get(item.componentId) ?? []), item]);
  const components = [...byComponent.values()].map((list) => {
    const groups = (['Samples', 'Events', 'Condition'] as const).map((group) => {
      const entries = list.filter((i) => i.group === group).map((i) => {
        const attrs = `dataItemId="${i.dataItemId}" timestamp="${i.timestamp}" sequence="${i.sequence}"${i.name ? ` name="${i.name}"` : ''}${i.type ? ` type="${i.type}"` : ''}`;
        return i.value === '' ? `<${i.element} ${attrs}/>` : `<${i.element} ${attrs}>${i.value}</${i.element}>`;
      });
      return entries.length ? `<${group}>${entries.join('')}</${group}>` : '';
    });
    return `<ComponentStream component="${list[0]!.component}" name="${list[0]!.component === 'Device' ? 'VMC-3Axis' : 'C'}" componentId="${list[0]!.componentId}">${groups.join('')}</ComponentStream>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<MTConnectStreams xmlns:m="urn:mtconnect.org:MTConnectStreams:1.3" xmlns="urn:mtconnect.org:MTConnectStreams:1.3">
  ${header(instanceId, first, next, last)}
  <Streams><DeviceStream name="VMC-3Axis" uuid="vmc-001">${components.join('')}</DeviceStream></Streams>
</MTConnectStreams>`;
}

function errorXml(instanceId: number, first: number, next: number, code: string, text: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<MTConnectError xmlns="urn:mtconnect.org:MTConnectError:1.3">${header(instanceId, first, next)}<Errors><Error errorCode="${code}">${text}</Error></Errors></MTConnectError>`;
}

export class TestAgent {
  instanceId = 1000;
  /** The next answer is cut short (not well-formed XML). */
  brokenAnswers = 0;
  readonly requests: string[] = [];
  #buffer: Stored[] = [];
  #sequence = 1;
  #server: Server | null = null;
  readonly #waiters = new Set<() => void>();

  /** Resolves once the agent has answered `count` requests in all. */
  waitForRequests(count: number): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.requests.length < count) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
      check();
    });
  }

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://agent');
      this.requests.push(url.pathname + url.search);
      const [status, body] = this.#answer(url);
      res.writeHead(status, { 'content-type': 'application/xml' }).end(body);
      for (const waiter of [...this.#waiters]) waiter();
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((resolve) => this.#server?.close(resolve));
  }

  add(...observations: TestObservation[]): void {
    for (const o of observations) this.#buffer.push({ ...o, sequence: this.#sequence++, timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, this.#sequence)).toISOString() });
  }

  /** A new agent process: new instanceId, empty buffer, sequences from 1. */
  restart(): void {
    this.instanceId += 1;
    this.#buffer = [];
    this.#sequence = 1;
  }

  /** Drop the oldest observations, as a full ring buffer does. */
  forget(count: number): void {
    this.#buffer = this.#buffer.slice(count);
  }

  #answer(url: URL): [number, string] {
    const first = this.#buffer[0]?.sequence ?? this.#sequence;
    if (this.brokenAnswers > 0) {
      this.brokenAnswers -= 1;
      return [200, `<?xml version="1.0"?><MTConnectStreams><Header instanceId="${this.instanceId}"><Streams>`];
    }
    const request = url.pathname.split('/').pop();
    if (request === 'probe') return [200, PROBE_XML.replace('INSTANCE', String(this.instanceId))];
    if (request === 'current') {
      const latest = new Map<string, Stored>();
      for (const item of this.#buffer) latest.set(item.dataItemId, item);
      return [200, streamsXml(this.instanceId, first, this.#sequence, this.#sequence - 1, [...latest.values()])];
    }
    if (request === 'sample') {
      const from = Number(url.searchParams.get('from') ?? first);
      const count = Number(url.searchParams.get('count') ?? 100);
      if (from < first || from > this.#sequence) return [400, errorXml(this.instanceId, first, this.#sequence, 'OUT_OF_RANGE', `'from' must be in ${first}..${this.#sequence}`)];
      const items = this.#buffer.filter((i) => i.sequence >= from).slice(0, count);
      const next = items.length ? items[items.length - 1]!.sequence + 1 : from;
      return [200, streamsXml(this.instanceId, first, next, this.#sequence - 1, items)];
    }
    return [404, errorXml(this.instanceId, first, this.#sequence, 'UNSUPPORTED', `unknown request ${url.pathname}`)];
  }
}
