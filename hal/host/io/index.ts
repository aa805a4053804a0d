export { VirtualIo, type VirtualIoOptions } from './bus.js';
export type { Defer } from './common.js';
export { createHX711Class } from './hx711.js';
export type { I2cChip, I2cRegisterChip, I2cTransactionChip, VirtualI2cBus } from './i2c.js';
export { ANALOG_RESOLUTION, type Level, type LevelChange, type PwmState, type VirtualPin } from './pins.js';
export type { SerialPeer } from './serial.js';
export type { SpiChip, VirtualSpiBus } from './spi.js';
