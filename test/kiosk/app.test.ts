// The kiosk as a device (simulator/kinds/kiosk.ts on the stepped clock): repair reports online and offline with
// their progress and rating, visitor passes, queue tickets on the simulated printer, notices cached across a
// reboot, the help call on the alarm lifecycle, elderly mode per card, forgetting after inactivity.
import { describe, expect, test } from '@jest/globals';
import { kioskKind } from '../../simulator/kinds/kiosk.js';
import { KioskDevice } from './kiosk-device.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function kiosk(): KioskDevice {
  const k = new KioskDevice().boot();
  k.advance(3000); // connected; the printer has answered its first status query
  return k;
}

/** Alice files a water leak in the corridor. */
function fileReport(k: KioskDevice): void {
  k.go('svc.repair');
  k.card('alice');
  k.through('cat.water', 'loc.corridor', 'phrase.leak', 'repair.send');
}

const notice = (id: string, expiresMs: number) => ({
  id, title: { zh: `通知${id}`, en: `Notice ${id}` }, body: { zh: '停水', en: 'No water on Monday' }, expiresMs,
});

describe('repair reports', () => {
  test('online: a durable kiosk.repair event with the keyed resident hash, and the screen says it was sent', () => {
    const k = kiosk();
    fileReport(k);
    expect(k.view.screen).toBe('repair.done');
    expect(k.node('repair.sent')).toBeDefined();
    const [event] = k.data('kiosk.repair');
    expect(event).toEqual({ ref: expect.stringMatching(/^\d+-1$/), category: 'cat.water', location: 'loc.corridor', phrase: 'phrase.leak', resident: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  test('"my home" first for a resident: the event says loc.home, for the platform to fill in the unit', () => {
    const k = kiosk();
    k.go('svc.repair');
    k.card('alice');
    k.go('cat.light');
    expect(k.view.body[0]?.items?.[0]?.id).toBe('loc.home');
    k.through('loc.home', 'phrase.broken');
    expect(k.shown()).toContain('我家');
    k.go('repair.send');
    expect(k.data('kiosk.repair')[0]).toMatchObject({ category: 'cat.light', location: 'loc.home', resident: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  test('offline: the report waits in the flash outbox, the screen says so, and it leaves when the network is back', () => {
    const k = kiosk();
    k.network(false);
    k.advance(5000);
    fileReport(k);
    expect(k.node('repair.queued')).toBeDefined();
    expect(k.node('status.queued')).toBeDefined();
    expect(k.data('kiosk.repair')).toEqual([]);
    expect(k.runtime.outbox.depth).toBeGreaterThan(0);
    k.network(true);
    k.advance(MINUTE);
    expect(k.data('kiosk.repair')).toHaveLength(1);
  });

  test('the platform moves a report through its stages; "my reports" shows them and asks for a rating at the end', () => {
    const k = kiosk();
    fileReport(k);
    const ref = k.data('kiosk.repair')[0]!.ref as string;
    expect(k.command('kiosk.report_progress', { ref, stage: 'accepted' }).code).toBe('ok');
    k.go('nav.home');
    k.through('svc.reports', `report.${ref}`);
    const states = () => k.node('report.steps')?.items?.map((step) => step.state);
    expect(states()).toEqual(['done', 'current', 'todo', 'todo', 'todo']);
    expect(k.node('rate.5')).toBeUndefined();
    expect(k.command('kiosk.report_progress', { ref, stage: 'dispatched' }).code).toBe('ok');
    expect(states()).toEqual(['done', 'done', 'current', 'todo', 'todo']);
    expect(k.command('kiosk.report_progress', { ref, stage: 'resolved' }).code).toBe('ok');
    expect(states()).toEqual(['done', 'done', 'done', 'done', 'done']);
    k.go('rate.5');
    expect(k.data('kiosk.rating')).toEqual([{ ref, stars: 5 }]);
    expect(k.view.screen).toBe('report.rated');
  });

  test('after a reboot: "my reports" shows the report at its stage, late progress is taken, a rating is given once', () => {
    const k = kiosk();
    fileReport(k);
    const ref = k.data('kiosk.repair')[0]!.ref as string;
    expect(k.command('kiosk.report_progress', { ref, stage: 'dispatched' }).code).toBe('ok');
    k.go('nav.home');
    k.powerCycle(1000);
    k.advance(3000);
    // The platform's late update, before anyone is at the kiosk.
    expect(k.command('kiosk.report_progress', { ref, stage: 'resolved' }).code).toBe('ok');
    k.go('svc.reports');
    k.card('alice');
    k.go(`report.${ref}`);
    expect(k.node('report.steps')?.items?.map((step) => step.state)).toEqual(['done', 'done', 'done', 'done', 'done']);
    k.go('rate.4');
    expect(k.data('kiosk.rating')).toEqual([{ ref, stars: 4 }]);
    k.go('nav.home');
    k.go('session.end');
    k.powerCycle(1000);
    k.advance(3000);
    k.go('svc.reports');
    k.card('alice');
    k.go(`report.${ref}`);
    expect(k.node('rate.5')).toBeUndefined(); // rated before the reboot: never twice
    k.go('nav.home');
    k.go('session.end');
    k.go('svc.reports');
    k.card('bob');
    expect(k.node(`report.${ref}`)).toBeUndefined();
    expect(k.node('reports.none')).toBeDefined();
  });

  test('after a reboot a pass request is still answered: the late pass is taken and shown to its resident', () => {
    const k = kiosk();
    k.go('svc.visitor');
    k.card('alice');
    k.world.key('3');
    k.through('visitor.next', 'time.4h', 'visitor.request');
    const ref = k.data('kiosk.pass_request')[0]!.ref as string;
    k.powerCycle(1000);
    k.advance(3000);
    expect(k.command('kiosk.pass', { ref, payload: 'VP1.late.pass' }).code).toBe('ok');
    k.go('svc.visitor');
    k.card('alice');
    k.go('visitor.passReady');
    expect(k.seek('visitor.qr')?.payload).toBe('VP1.late.pass');
  });

  test('progress for an unknown report is rejected; bad args are invalid with a reason', () => {
    const k = kiosk();
    expect(k.command('kiosk.report_progress', { ref: 'nope', stage: 'accepted' })).toMatchObject({ code: 'rejected', reason: expect.stringContaining('32 newest') });
    expect(k.command('kiosk.pass', { ref: 'nope', payload: 'VP1.x' })).toMatchObject({ code: 'rejected', reason: expect.stringContaining('32 newest') });
    expect(k.command('kiosk.report_progress', { ref: '1-1', stage: 'closed' })).toMatchObject({ code: 'invalid', reason: expect.stringContaining('stage') });
    expect(k.command('kiosk.report_progress', { ref: '1-1', stage: 'accepted', extra: 1 })).toMatchObject({ code: 'invalid', reason: expect.stringContaining('extra') });
    expect(k.command('kiosk.pass', { ref: '1-1', payload: 'bad\npayload' }).code).toBe('invalid');
  });
});

describe('visitor passes', () => {
  test('a resident requests a pass; the platform issues it; it shows as a QR code and is printed', () => {
    const k = kiosk();
    k.go('svc.visitor');
    k.card('alice');
    expect(k.world.key('2')).toBe(true);
    k.through('visitor.next', 'time.2h', 'visitor.request');
    const [request] = k.data('kiosk.pass_request');
    expect(request).toEqual({ ref: expect.any(String), resident: expect.stringMatching(/^[0-9a-f]{32}$/), visitors: 2, hours: 2 });
    expect(k.view.screen).toBe('visitor.wait');
    expect(k.command('kiosk.pass', { ref: request!.ref, payload: 'VP1.abc.def' }).code).toBe('ok');
    k.advance(5000);
    expect(k.view.screen).toBe('visitor.pass');
    expect(k.node('visitor.qr')?.payload).toBe('VP1.abc.def');
    expect(k.world.receipts().at(-1)?.lines).toContainEqual(expect.objectContaining({ qr: 'VP1.abc.def' }));
  });
});

describe('queue tickets', () => {
  test('a ticket is printed with its number and QR code, and announced as kiosk.ticket', () => {
    const k = kiosk();
    k.through('svc.queue', 'queue.take');
    k.advance(5000);
    expect(k.view.screen).toBe('queue.ticket');
    const [ticket] = k.world.receipts();
    expect(ticket?.lines).toContainEqual(expect.objectContaining({ text: '001' }));
    expect(ticket?.lines).toContainEqual(expect.objectContaining({ qr: 'TICKET:1' }));
    expect(k.data('kiosk.ticket')).toEqual([{ number: 1, printed: true }]);
    expect(k.node('status.noPrinter')).toBeUndefined();
  });

  test('paper out: the screen says the printer cannot print, the number is shown only on screen', () => {
    const k = kiosk();
    k.world.setPaperOut(true);
    k.advance(20_000); // the next status poll
    k.go('svc.queue');
    expect(k.node('status.noPrinter')).toBeDefined();
    k.go('queue.take');
    k.advance(5000);
    expect(k.view.screen).toBe('queue.ticket');
    expect(k.node('status.noPrinter')).toBeDefined();
    expect(k.shown()).toContain('1 号');
    expect(k.seek('queue.qr')?.payload).toBe('TICKET:1'); // on the next page, below the printer's warning
    expect(k.world.receipts()).toEqual([]);
    expect(k.data('kiosk.ticket')).toEqual([{ number: 1, printed: false }]);
    k.world.setPaperOut(false);
    k.advance(20_000);
    expect(k.node('status.noPrinter')).toBeUndefined();
  });

  test('ticket numbers continue across a reboot', () => {
    const k = kiosk();
    k.through('svc.queue', 'queue.take');
    k.powerCycle(1000);
    k.advance(3000);
    k.through('svc.queue', 'queue.take');
    expect(k.data('kiosk.ticket').map((t) => t.number)).toEqual([1, 2]);
  });
});

describe('notices', () => {
  test('cached in flash and read offline after a reboot; an expired one is hidden', () => {
    const k = kiosk();
    const now = k.hal.wallClock.now();
    const result = k.command('kiosk.notices', { version: 1, notices: [notice('water', now + 24 * HOUR), notice('lift', now + 2 * HOUR)] });
    expect(result).toMatchObject({ code: 'ok', data: { version: 1, kept: 2 } });
    k.network(false);
    k.powerCycle(1000);
    k.advance(3000);
    k.go('svc.notices');
    expect(k.node('notice.water')).toBeDefined();
    expect(k.node('notice.lift')).toBeDefined();
    k.advance(3 * HOUR);
    k.go('svc.notices');
    expect(k.node('notice.water')).toBeDefined();
    expect(k.node('notice.lift')).toBeUndefined();
  });

  test('a list replaces the cache only when newer; the same version again is a no-op without a flash write', () => {
    const k = kiosk();
    const now = k.hal.wallClock.now();
    expect(k.command('kiosk.notices', { version: 2, notices: [notice('a', now + HOUR)] }).code).toBe('ok');
    const writes = k.storage.kv.writes;
    expect(k.command('kiosk.notices', { version: 2, notices: [notice('a', now + HOUR)] })).toMatchObject({ code: 'ok', data: { unchanged: true } });
    expect(k.command('kiosk.notices', { version: 1, notices: [] }).code).toBe('rejected');
    expect(k.storage.kv.writes).toBe(writes);
    expect(k.command('kiosk.notices', { version: 3, notices: [{ id: 'x' }] }).code).toBe('invalid');
  });
});

describe('help', () => {
  test('the help call raises an alarm at once; the platform\'s updates move its progress on screen', () => {
    const k = kiosk();
    k.through('svc.help', 'help.call');
    const [raised] = k.data('alarm.raised');
    expect(raised).toEqual(expect.objectContaining({ cause: 'help' }));
    expect(k.view.screen).toBe('help.progress');
    const stateOf = (i: number) => k.node('help.steps')?.items?.[i]?.state;
    expect(stateOf(0)).toBe('current');
    k.alarmUpdate(raised!.alarmId as string, 'accepted');
    expect(stateOf(1)).toBe('current');
    k.alarmUpdate(raised!.alarmId as string, 'dispatched');
    expect(stateOf(2)).toBe('current');
  });
});

describe('residents', () => {
  test('elderly mode is remembered per card across reboots, and not given to another card', () => {
    const k = kiosk();
    k.card('alice');
    k.go('mode');
    expect(k.view.mode).toBe('elderly');
    expect(k.world.spoken.length).toBeGreaterThan(0);
    k.go('session.end');
    k.powerCycle(1000);
    k.advance(3000);
    k.card('bob');
    expect(k.view.mode).toBe('standard');
    k.go('session.end');
    k.card('alice');
    expect(k.view.mode).toBe('elderly');
  });

  test('after inactivity the kiosk goes home and forgets the resident', () => {
    const k = kiosk();
    k.card('alice');
    k.go('svc.reports');
    expect(k.view.screen).toBe('reports');
    k.advance(45_000);
    expect(k.view.screen).toBe('idle');
    k.advance(20_000);
    expect(k.view.screen).toBe('home');
    expect(k.node('home.signedIn')).toBeUndefined();
  });
});

describe('hardware and flash', () => {
  test('an unplugged printer: health says silent, the ticket screen says so, the kiosk runs on', () => {
    const k = kiosk();
    k.world.boot!.printer.silent = true;
    k.advance(20_000);
    expect(k.app.health()).toMatchObject({ printer: 'silent' });
    k.through('svc.queue', 'queue.take');
    expect(k.node('status.noPrinter')).toBeDefined();
    expect(k.data('kiosk.ticket')).toEqual([{ number: 1, printed: false }]);
  });

  test('a report is written when filed, moved on and rated, and not for a duplicate update', () => {
    const k = kiosk();
    const before = k.storage.kv.writes;
    fileReport(k);
    const ref = k.data('kiosk.repair')[0]!.ref as string;
    expect(k.storage.kv.writes - before).toBeGreaterThanOrEqual(1); // the report (and the outbox's own records)
    const filed = k.storage.kv.writes;
    expect(k.command('kiosk.report_progress', { ref, stage: 'resolved' }).code).toBe('ok');
    expect(k.storage.kv.writes).toBe(filed + 1);
    expect(k.command('kiosk.report_progress', { ref, stage: 'resolved' }).code).toBe('ok');
    expect(k.command('kiosk.report_progress', { ref, stage: 'accepted' }).code).toBe('ok'); // late, never backwards
    expect(k.storage.kv.writes).toBe(filed + 1);
  });

  test('browsing writes nothing to flash; a mode switch and a ticket one record each', () => {
    const k = kiosk();
    const writes = k.storage.kv.writes;
    k.card('alice');
    k.through('svc.notices', 'nav.home', 'svc.reports', 'nav.home', 'svc.help', 'nav.home');
    k.advance(10 * MINUTE);
    expect(k.storage.kv.writes).toBe(writes);
    k.card('alice');
    k.go('mode');
    expect(k.storage.kv.writes).toBe(writes + 1);
    k.through('svc.queue', 'queue.take');
    expect(k.storage.kv.writes).toBe(writes + 2);
  });
});

describe('simulator commands', () => {
  test('tap, key, back, card and paper act on the world; a bad argument throws', () => {
    const k = kiosk();
    const run = (verb: string, ...args: string[]) => kioskKind.commands![verb]!.run(k.world, args);
    expect(run('tap', 'svc.visitor')).toBe('tapped svc.visitor');
    expect(run('card', 'alice')).toMatch(/alice/);
    k.advance(1000);
    expect(k.view.screen).toBe('visitor.count');
    expect(run('key', '3')).toBe('key 3');
    expect(run('tap', 'queue.take')).toMatch(/not on the screen/);
    expect(run('back')).toBe('back');
    expect(k.view.screen).toBe('home');
    expect(run('paper', 'out')).toMatch(/paper out/);
    expect(k.world.boot!.printer.paperOut).toBe(true);
    expect(() => run('paper', 'sideways')).toThrow(RangeError);
    expect(() => run('card', 'nobody')).toThrow(RangeError);
    expect(kioskKind.describe!(k.world)).toMatch(/^home \(zh\) · paper out · 0 printed$/);
  });
});
