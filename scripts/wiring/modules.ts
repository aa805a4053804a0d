// What the drawing needs to know about each part kind and each chip that no board carries, because it is the same
// on every board: a kind's module, the names printed on its pins, and where its power comes from; a chip's
// input-only and strapping pins. Boards say the rest (hal/boards/*.ts `wiring`). A kind missing here fails the
// generator, so a new driver cannot be drawn wrong by default.

/** The power a module takes: the board's 3.3 V rail, or a supply of its own (grounds joined), or none. */
export type Supply = { readonly rail: '3V3' } | { readonly own: string } | undefined;

export interface ModuleFacts {
  /** What to buy: the box's subtitle. */
  readonly module: string;
  /** The module's pin labels for the part's roles (firmware/parts/<kind>.ts `pins`). */
  readonly roles: Readonly<Record<string, string>>;
  readonly supply: Supply;
  /** The module has a ground wire (switches and outputs to ground included). */
  readonly ground: boolean;
  /** What the module needs that its pins above do not show. */
  readonly note?: string;
}

const RAIL = Object.freeze({ rail: '3V3' as const });

export const MODULES: Readonly<Record<string, ModuleFacts>> = Object.freeze({
  relay: { module: 'relay stage: NPN transistor, relay, flyback diode', roles: { pin: 'IN' }, supply: { own: 'relay coil supply' }, ground: true },
  indicator: { module: 'output: LED with its resistor, or a transistor stage', roles: { pin: 'IN' }, supply: undefined, ground: true },
  contact: { module: 'switch or sensor output, closed/low to GND', roles: { pin: 'OUT' }, supply: undefined, ground: true },
  button: { module: 'push button to GND (internal pull-up)', roles: { pin: 'SW' }, supply: undefined, ground: true },
  wiegand: { module: 'Wiegand 26/34 reader or keypad', roles: { data0: 'D0', data1: 'D1' }, supply: { own: 'reader supply (12 V)' }, ground: true },
  mfrc522: {
    module: 'MFRC522 13.56 MHz card reader module',
    roles: { select: 'SDA (SS)' },
    supply: RAIL,
    ground: true,
    note: 'RST to 3V3 (the driver resets by command); IRQ unconnected',
  },
  'qr-scanner': { module: 'QR scanner module, TTL UART, CR after each code', roles: {}, supply: { own: 'module supply (3.3–5 V, see its label)' }, ground: true },
  thermistor: { module: 'NTC 10 kΩ (B 3950) from the pin to GND, 10 kΩ from 3V3 to the pin', roles: { pin: 'MID' }, supply: RAIL, ground: true },
  lis3dh: { module: 'LIS3DH accelerometer module, I2C 0x18 (SDO/SA0 to GND)', roles: { interrupt: 'INT1' }, supply: RAIL, ground: true },
  battery: { module: 'resistor divider from the cell', roles: { pin: 'MID' }, supply: { own: 'cell +' }, ground: true },
  a02yyuw: { module: 'DFRobot A02YYUW ultrasonic level sensor (UART)', roles: {}, supply: RAIL, ground: true },
  servo: { module: 'lid servo', roles: { pin: 'SIG' }, supply: { own: '5 V servo supply' }, ground: true },
  'load-cell': { module: 'HX711 load-cell amplifier (E+/E−/A+/A− to the load cell)', roles: { data: 'DOUT', clock: 'PD_SCK' }, supply: RAIL, ground: true },
  vl53l1x: { module: 'VL53L1X time-of-flight module, I2C 0x29 (XSHUT open or high)', roles: {}, supply: RAIL, ground: true },
  'receipt-printer': { module: 'ESC/POS receipt printer, TTL UART, XON/XOFF on', roles: {}, supply: { own: 'printer supply (see its label)' }, ground: true },
} satisfies Record<string, ModuleFacts>);

/** The module pin names of each bus line, from the module's side (a UART's lines cross). */
export const BUS_LINES = Object.freeze({
  spi: Object.freeze({ out: 'MOSI', in: 'MISO', clock: 'SCK' }),
  i2c: Object.freeze({ data: 'SDA', clock: 'SCL' }),
  serial: Object.freeze({ transmit: 'RX', receive: 'TX' }),
});

export type Chip = 'esp32' | 'esp32s3';

/** Chip facts the pins' labels carry: from Espressif's datasheets. */
export const CHIPS: Readonly<Record<Chip, { readonly name: string; readonly inputOnly: readonly number[]; readonly strapping: readonly number[] }>> =
  Object.freeze({
    esp32: { name: 'ESP32', inputOnly: [34, 35, 36, 37, 38, 39], strapping: [0, 2, 5, 12, 15] },
    esp32s3: { name: 'ESP32-S3', inputOnly: [], strapping: [0, 3, 45, 46] },
  });
