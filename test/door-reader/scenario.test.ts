// The door reader scenario (npm run scenario:door) end to end: the simulator, its embedded broker, a platform
// client, signed commands and an outage; checked from what the platform received.
import { runDoorScenario } from '../../scripts/door/scenario.js';
import { uniqueSite } from '../support/broker.js';

it('plays a morning at the door and the platform sees every decision in an intact chain', async () => {
  const lines: string[] = [];
  const result = await runDoorScenario({ site: uniqueSite('door'), log: (line) => lines.push(line), timeoutMs: 30_000 });
  const access = result.events.filter((event) => event.type.startsWith('access.')).map((event) => `${String(event.data.kind)}:${String(event.data.reason)}`);
  expect(access).toEqual([
    'card:granted', // alice
    'card:unknown', // mallory
    'card+pin:granted', // bob and his PIN
    'pass:granted', // the visitor
    'pass:pass_used_up', // the same pass again
    'qr:granted', // a resident's code
    'remote:granted', // the platform's signed unlock
    'card:granted', // alice while offline
    'card:expired', // carol while offline
  ]);
  expect(result.states.alice).toMatch(/^UNLOCKED/);
  expect(result.states.mallory).toMatch(/^locked/);
  expect(result.states.forced).toMatch(/ALARM forced/);
  expect(result.results.find((r) => r.reqId === 'remote-1')).toMatchObject({ code: 'ok' });
  const offline = result.events.filter((event) => event.type.startsWith('access.')).slice(-2);
  expect(offline.map((event) => event.data.offline)).toEqual([true, true]);
  expect(result.events.map((event) => event.type)).toEqual(expect.arrayContaining(['door.forced', 'door.forced.cleared']));
  expect(result.events.map((event) => event.seq)).toEqual(result.events.map((_, i) => i + 1));
  expect(result.findings).toEqual([]);
  expect(result.linked).toBeGreaterThanOrEqual(access.length + 1);
  expect(lines.join('\n')).toMatch(/chain: \d+ links verified, 0 findings/);
}, 60_000); // over the budget: it runs in real time (broker, sockets, 30 s of device time at 5×: ~7 s when quiet)
