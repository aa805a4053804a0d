// Where board meets device, a board without a pin, bus or serial port the device's parts name is a type error:
// the @ts-expect-error lines below fail `npx tsc -b` the day they stop being errors. At run time the boards
// that fit each device are checked the same way the entry points and simulator kinds use them.
import { describe, expect, test } from '@jest/globals';
import { DOOR_READER } from '../../firmware/apps/door-reader/index.js';
import { KIOSK } from '../../firmware/apps/kiosk/index.js';
import { SMART_BIN } from '../../firmware/apps/smart-bin/index.js';
import { SOS_BUTTON } from '../../firmware/apps/sos-button/index.js';
import type { BoardFor } from '../../firmware/parts/device.js';
import type { PinsOf } from '../../firmware/parts/part.js';
import { esp32DoorReader } from '../../hal/boards/esp32-door-reader.js';
import { esp32SmartBin } from '../../hal/boards/esp32-smart-bin.js';
import { esp32s3Kiosk } from '../../hal/boards/esp32s3-kiosk.js';
import { simKiosk } from '../../hal/boards/sim-kiosk.js';
import { esp32SosButton } from '../../hal/boards/esp32-sos-button.js';
import { simDoorReader } from '../../hal/boards/sim-door-reader.js';
import { simSmartBin } from '../../hal/boards/sim-smart-bin.js';
import { simSosButton } from '../../hal/boards/sim-sos-button.js';

type DoorBoard = BoardFor<typeof DOOR_READER.parts>;
type SosButtonBoard = BoardFor<typeof SOS_BUTTON.parts>;

const doorBoards: DoorBoard[] = [esp32DoorReader, simDoorReader];
const sosButtonBoards: SosButtonBoard[] = [esp32SosButton, simSosButton];
type SmartBinBoard = BoardFor<typeof SMART_BIN.parts>;
const smartBinBoards: SmartBinBoard[] = [esp32SmartBin, simSmartBin];
type KioskBoard = BoardFor<typeof KIOSK.parts>;
const kioskBoards: KioskBoard[] = [esp32s3Kiosk, simKiosk];
// @ts-expect-error the SOS button board has no SPI bus for the card reader and no printer port
export const kioskOnSosButton: KioskBoard = esp32SosButton;

// @ts-expect-error the SOS button board has no relay, door contact, exit button, Wiegand or NFC pins, no SPI, no "qr" port
export const doorOnSosButton: DoorBoard = esp32SosButton;
// @ts-expect-error the door reader board has no vibration, accelerometer or battery pin, and no I2C bus
export const sosButtonOnDoor: SosButtonBoard = esp32DoorReader;

const { exitButton, ...withoutExitButton } = simDoorReader.pin;
// @ts-expect-error one pin missing is enough
export const noExitButton: DoorBoard = { ...simDoorReader, pin: withoutExitButton };
const { spi, ...withoutSpi } = simDoorReader;
// @ts-expect-error so is the bus a part sits on
export const noSpi: DoorBoard = withoutSpi;
const { serial, ...withoutSerial } = simDoorReader;
// @ts-expect-error and the serial port
export const noSerial: DoorBoard = withoutSerial;

const { scale1Clock, ...withoutScale1Clock } = esp32SmartBin.pin;
// @ts-expect-error the second compartment's load cell needs its clock pin
export const noScaleClock: SmartBinBoard = { ...esp32SmartBin, pin: withoutScale1Clock };
const { level0, ...withoutLevelPort } = esp32SmartBin.serial;
// @ts-expect-error and the ultrasonic sensor its serial port
export const noLevelPort: SmartBinBoard = { ...esp32SmartBin, serial: withoutLevelPort };
// @ts-expect-error the door reader board has no lids, scales or level sensors
export const binOnDoor: SmartBinBoard = esp32DoorReader;

describe('boards for each device', () => {
  test('have every pin the device table names', () => {
    const door: PinsOf<typeof DOOR_READER.parts>[] = ['relay', 'led', 'buzzer', 'doorContact', 'exitButton', 'wiegandData0', 'wiegandData1', 'nfcSelect'];
    const sosButton: PinsOf<typeof SOS_BUTTON.parts>[] = ['accelInterrupt', 'battery', 'led', 'buzzer', 'vibration', 'button'];
    for (const board of doorBoards) for (const name of door) expect(typeof board.pin[name]).toBe('number');
    for (const board of sosButtonBoards) for (const name of sosButton) expect(typeof board.pin[name]).toBe('number');
    const bin: PinsOf<typeof SMART_BIN.parts>[] = ['lid0', 'lidSwitch0', 'obstacle0', 'select0', 'scale0Data', 'scale0Clock', 'lid1', 'scale1Clock', 'temperature', 'battery', 'nfcSelect'];
    for (const board of smartBinBoards) for (const name of bin) expect(typeof board.pin[name]).toBe('number');
    for (const board of [esp32SmartBin, simSmartBin]) expect(board.compartments).toBe(2);
    expect([exitButton, spi, serial, scale1Clock, level0].every((thing) => thing !== undefined)).toBe(true);
  });

  test('are frozen data all the way down', () => {
    for (const board of [...doorBoards, ...sosButtonBoards, ...smartBinBoards, ...kioskBoards]) {
      expect(Object.isFrozen(board)).toBe(true);
      for (const value of Object.values(board)) if (typeof value === 'object') expect(Object.isFrozen(value)).toBe(true);
    }
  });
});
