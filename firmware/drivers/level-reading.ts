// What a fill-level sensor reports, whichever sensor it is (ultrasonic A02YYUW / JSN-SR04T, VL53L1X time of
// flight), so that one level pipeline takes either. A fault is a reading too: "no echo" is never a distance of 0.
//   noEcho   the sensor heard nothing usable (nothing in range, a weak or absorbed echo)
//   silent   the sensor did not answer in time (unplugged, unpowered, wrong wiring or baud rate)
//   ambient  the sensor is blinded (sunlight on a time-of-flight sensor)
//   range    the sensor answered with a measurement it says is invalid (out of bounds, wraparound, hardware)

export type LevelFault = 'noEcho' | 'silent' | 'ambient' | 'range';

/** `mm`: distance from the sensor face; `signal` and `ambient`: return and ambient rates (kcps) where known. */
export type LevelReading = { mm: number; signal?: number; ambient?: number } | { fault: LevelFault };

/** What the app holds of a level sensor: each measure() ends in exactly one reading through the sensor's callback. */
export interface LevelSensor {
  measure(): void;
  close(): void;
}
