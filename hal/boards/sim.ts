// The simulator's board: an ESP32 DevKitC-like pin map, so a device app finds every pin it may need whichever
// terminal it is. Pins and buses are virtual (hal/host/io); numbers follow ESP32 conventions (ADC1 pins for
// analog, 21/22 for I2C, the VSPI pins for SPI, UART2 on 16/17).
import type { Board } from '../contract/board.js';

export const simBoard: Board = {
  name: 'sim',
  pin: {
    // Indication and actuation
    led: 2,
    statusLed: 4,
    buzzer: 25,
    relay: 26,
    // Switches and contacts (inputs, active low with pull-ups)
    button: 0,
    exitButton: 13,
    sosButton: 14,
    doorContact: 27,
    tamper: 15,
    lidSwitch: 12,
    // Sensor lines
    accelInterrupt: 32,
    wiegandData0: 36,
    wiegandData1: 39,
    fillLevel: 34,
    battery: 35,
    // Buses
    i2cData: 21,
    i2cClock: 22,
    spiOut: 23,
    spiIn: 19,
    spiClock: 18,
    nfcSelect: 5,
    serialTransmit: 17,
    serialReceive: 16,
  },
  i2c: { data: 21, clock: 22, hz: 400_000, port: 0 },
  spi: { out: 23, in: 19, clock: 18, hz: 5_000_000, mode: 0, port: 0 },
  serial: {
    reader: { transmit: 17, receive: 16, baud: 9600, port: 2 },
  },
  activeLow: ['statusLed'],
};
