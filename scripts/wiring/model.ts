// The wiring of one board as data, worked out from the board (hal/boards/*.ts: pins, buses, serial ports, dividers
// and its `wiring` block) and the app's parts table (firmware/apps/*/parts.ts): every GPIO with the board's names
// for it, every part with its module's pins, and which of them meet. Nothing here knows a particular board.
// Refuses what cannot be wired as stated: a board pin no part or fixture uses, two parts on one GPIO that is not a
// shared bus, a part kind or role the module facts (modules.ts) do not know.
import type { Board, SerialPort } from '../../hal/contract/board.js';
import type { PartsTable } from '../../firmware/parts/part.js';
import { BUS_LINES, CHIPS, MODULES, type Chip, type Supply } from './modules.js';

export type NetKind = 'signal' | 'spi' | 'i2c' | 'uart' | 'power' | 'ground';

/** One pin of the ESP32 module: a GPIO, or its 3V3 or GND. */
export interface McuPin {
  /** The net's name: `GPIO25`, `3V3`, `GND`. */
  readonly net: string;
  readonly gpio?: number;
  /** The board's names for it (`relay`, `spiOut`...). */
  readonly names: readonly string[];
  readonly kind: NetKind;
  /** Chip facts that matter when wiring it: `input only`, `strapping`. */
  readonly flags: readonly string[];
  /** Numbers of the board's notes about it (Wiring.notes, from 1). */
  readonly notes: readonly number[];
}

export interface PartPin {
  /** The module's name for it: `MOSI`, `SDA (SS)`, `VCC`. */
  readonly label: string;
  /** The McuPin net it joins; absent for a supply of the part's own. */
  readonly net?: string;
  /** The part's own supply, named. */
  readonly own?: string;
}

export interface PartBox {
  /** The parts table's name (`relay`, `lid0`) or the fixture's. */
  readonly name: string;
  readonly module: string;
  readonly pins: readonly PartPin[];
  /** Facts from the board: baud rate, divider ratio. */
  readonly details: readonly string[];
  readonly notes: readonly number[];
}

export interface Wiring {
  readonly board: string;
  readonly module: string;
  readonly chip: string;
  readonly mcu: readonly McuPin[];
  readonly parts: readonly PartBox[];
  readonly notes: readonly string[];
}

/** Hardware the board wires that is no part of the app (the kiosk's display and touch), as boards state it. */
export interface Fixture {
  readonly module: string;
  readonly bus?: 'spi' | 'i2c';
  /** The bus lines it takes; absent: all of them. */
  readonly busLines?: readonly string[];
  /** Module pin label → board pin name. */
  readonly pins?: Readonly<Record<string, string>>;
  readonly note?: string;
  /** Powered from the 3.3 V rail (default), or not at all (a button to ground). */
  readonly supply?: 'none';
}

/** A board's `wiring` block (see hal/boards/esp32-door-reader.ts). */
export interface BoardWiring {
  readonly module: string;
  readonly chip: Chip;
  /** Board pin name → what its wire needs. */
  readonly notes?: Readonly<Record<string, string>>;
  readonly fixtures?: Readonly<Record<string, Fixture>>;
}

export type WiredBoard = Board & { readonly wiring: BoardWiring };

export function isWiredBoard(board: Board): board is WiredBoard {
  const wiring = (board as { wiring?: Partial<BoardWiring> }).wiring;
  return typeof wiring?.module === 'string' && typeof wiring.chip === 'string' && wiring.chip in CHIPS;
}

type Bus = 'spi' | 'i2c';

interface Tap {
  readonly part: string;
  readonly label: string;
}

export function wiringOf(board: WiredBoard, parts: PartsTable): Wiring {
  const chip = CHIPS[board.wiring.chip];
  const namesByGpio = new Map<number, string[]>();
  for (const [name, gpio] of Object.entries(board.pin)) {
    if (!Number.isInteger(gpio)) throw new Error(`${board.name}: pin ${name} is not a GPIO number`);
    namesByGpio.set(gpio, [...(namesByGpio.get(gpio) ?? []), name]);
  }
  const busOf = new Map<number, Bus>();
  for (const bus of ['spi', 'i2c'] as const) {
    for (const line of Object.keys(BUS_LINES[bus])) {
      const gpio = busLine(board, bus, line);
      if (gpio !== undefined) busOf.set(gpio, bus);
    }
  }
  const uart = new Set<number>();
  for (const port of Object.values<SerialPort>(board.serial ?? {})) {
    for (const gpio of [port.transmit, port.receive]) if (typeof gpio === 'number') uart.add(gpio);
  }

  const notes: string[] = [];
  /** A note's number; the same text twice is one note. */
  const note = (text: string) => (notes.includes(text) ? notes.indexOf(text) + 1 : notes.push(text));
  const taps = new Map<number, Tap[]>();
  const tap = (part: string, label: string, gpio: number | undefined, what: string): PartPin => {
    if (gpio === undefined) throw new Error(`${board.name}: ${part} needs ${what}, which the board does not wire`);
    taps.set(gpio, [...(taps.get(gpio) ?? []), { part, label }]);
    return { label, net: `GPIO${gpio}` };
  };
  const pinOf = (part: string, name: string): number => {
    const gpio = (board.pin as Readonly<Record<string, number>>)[name];
    if (gpio === undefined) throw new Error(`${board.name}: ${part} names pin ${name}, which the board lacks`);
    return gpio;
  };
  const busPins = (part: string, bus: Bus, lines: readonly string[]): PartPin[] =>
    lines.map((line) => tap(part, (BUS_LINES[bus] as Record<string, string>)[line] ?? line, busLine(board, bus, line), `${bus} ${line}`));

  const boxes: PartBox[] = [];
  for (const [name, part] of Object.entries(parts)) {
    if (part === undefined) continue;
    const facts = MODULES[part.kind];
    if (facts === undefined) throw new Error(`${board.name}: part ${name} is a ${part.kind}, which scripts/wiring/modules.ts does not describe`);
    const pins: PartPin[] = [];
    const details: string[] = [];
    for (const [role, pinName] of Object.entries(part.pins)) {
      const label = facts.roles[role];
      if (label === undefined) throw new Error(`${board.name}: ${part.kind} role ${role} has no module pin in modules.ts`);
      pins.push(tap(name, label, pinOf(name, pinName), `pin ${pinName}`));
      const ratio = board.dividers?.[pinName];
      if (ratio !== undefined) details.push(`divider ${ratio} : 1 (cell voltage / pin voltage)`);
    }
    if (part.bus !== undefined) pins.push(...busPins(name, part.bus, Object.keys(BUS_LINES[part.bus])));
    if (part.serial !== undefined) {
      const port = board.serial?.[part.serial];
      if (port === undefined) throw new Error(`${board.name}: ${name} names serial port ${part.serial}, which the board lacks`);
      for (const line of ['transmit', 'receive'] as const) {
        const gpio = port[line];
        if (typeof gpio === 'number') pins.push(tap(name, BUS_LINES.serial[line], gpio, `serial ${line}`));
      }
      details.push(`UART${port.port ?? ''} ${port.baud ?? ''} baud 8N1`);
    }
    pins.push(...powerPins(facts.supply, facts.ground));
    boxes.push({ name, module: facts.module, pins, details, notes: facts.note === undefined ? [] : [note(facts.note)] });
  }
  for (const [name, fixture] of Object.entries(board.wiring.fixtures ?? {})) {
    const pins: PartPin[] = [];
    if (fixture.bus !== undefined) pins.push(...busPins(name, fixture.bus, fixture.busLines ?? Object.keys(BUS_LINES[fixture.bus])));
    for (const [label, pinName] of Object.entries(fixture.pins ?? {})) pins.push(tap(name, label, pinOf(name, pinName), `pin ${pinName}`));
    pins.push(...powerPins(fixture.supply === 'none' ? undefined : { rail: '3V3' }, true));
    boxes.push({ name, module: fixture.module, pins, details: [], notes: fixture.note === undefined ? [] : [note(fixture.note)] });
  }

  for (const [gpio, names] of namesByGpio) {
    if (!taps.has(gpio)) throw new Error(`${board.name}: pin ${names.join('/')} (GPIO${gpio}) is wired to no part or fixture`);
  }
  for (const [gpio, users] of taps) {
    const partsOnIt = new Set(users.map((user) => user.part));
    if (partsOnIt.size > 1 && !busOf.has(gpio)) {
      throw new Error(`${board.name}: GPIO${gpio} is wired to ${[...partsOnIt].join(' and ')}, and is no shared bus`);
    }
    if (!namesByGpio.has(gpio)) throw new Error(`${board.name}: GPIO${gpio} is used by ${users[0]?.part} but has no name in board.pin`);
  }

  const boardNotes = board.wiring.notes ?? {};
  for (const name of Object.keys(boardNotes)) {
    if (!(name in board.pin)) throw new Error(`${board.name}: wiring note for ${name}, which is no pin of the board`);
  }
  const gpios = [...taps.keys()].sort((a, b) => a - b);
  const used = boxes.flatMap((box) => box.pins.map((pin) => pin.net));
  const mcu: McuPin[] = [
    ...(used.includes('3V3') ? [{ net: '3V3', names: [], kind: 'power' as const, flags: [], notes: [] }] : []),
    ...(used.includes('GND') ? [{ net: 'GND', names: [], kind: 'ground' as const, flags: [], notes: [] }] : []),
    ...gpios.map((gpio): McuPin => {
      const names = namesByGpio.get(gpio) ?? [];
      const flags = [...(chip.inputOnly.includes(gpio) ? ['input only, no pull-up'] : []), ...(chip.strapping.includes(gpio) ? ['strapping pin'] : [])];
      const bus = busOf.get(gpio);
      return {
        net: `GPIO${gpio}`,
        gpio,
        names,
        kind: bus ?? (uart.has(gpio) ? 'uart' : 'signal'),
        flags,
        notes: names.flatMap((name) => (boardNotes[name] === undefined ? [] : [note(boardNotes[name])])),
      };
    }),
  ];
  // Board notes were numbered after the parts': renumber so that the ESP32's come first, as the drawing reads.
  const order = [...new Set([...mcu.flatMap((pin) => pin.notes), ...boxes.flatMap((box) => box.notes)])];
  const renumber = (n: number) => order.indexOf(n) + 1;
  return {
    board: board.name,
    module: board.wiring.module,
    chip: chip.name,
    mcu: mcu.map((pin) => ({ ...pin, notes: pin.notes.map(renumber) })),
    parts: boxes.map((box) => ({ ...box, notes: box.notes.map(renumber) })),
    notes: order.map((n) => notes[n - 1] ?? ''),
  };
}

function busLine(board: Board, bus: Bus, line: string): number | undefined {
  const options = board[bus] as Readonly<Record<string, unknown>> | undefined;
  const gpio = options?.[line];
  return typeof gpio === 'number' ? gpio : undefined;
}

function powerPins(supply: Supply, ground: boolean): PartPin[] {
  const pins: PartPin[] = [];
  if (supply !== undefined) pins.push('rail' in supply ? { label: 'VCC', net: supply.rail } : { label: 'VCC', own: supply.own });
  if (ground) pins.push({ label: 'GND', net: 'GND' });
  return pins;
}
