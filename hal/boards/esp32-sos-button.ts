// The SOS button: an ESP32-WROOM-32 on a battery board with a LIS3DH accelerometer, one big button, an LED,
// a piezo buzzer and a vibration motor, worn as a pendant. See esp32-devkitc.ts for the pins every ESP32 board
// avoids.
//
// Choices of this board:
// - The button and the accelerometer's INT1 are RTC GPIOs (33, 34): they can wake the chip from deep sleep
//   (ext1), which the button-only mode uses. `wakePins` lists the RTC GPIOs the module brings out.
// - The battery divider is on ADC1 (35): ADC2 cannot be read while Wi-Fi is on.
// - Outputs on 25, 26 and 27 stay quiet through reset; the buzzer and the motor sit behind transistors.
import type { Board } from '../contract/board.js';

export const esp32SosButton = Object.freeze({
  name: 'esp32-sos-button',
  pin: Object.freeze({
    /** The SOS button to ground (use InputPullUp; an external 100 kΩ pull-up keeps it high in deep sleep). */
    button: 33,
    /** Status LED (active high). */
    led: 26,
    /** Piezo buzzer with a built-in oscillator, through an NPN stage (active high). */
    buzzer: 25,
    /** Vibration motor through an NPN stage with a flyback diode (active high). */
    vibration: 27,
    /** LIS3DH INT1 (push-pull, active high): wake on motion. Input only, no pull needed. */
    accelInterrupt: 34,
    /** Cell voltage through a 2:1 divider (100 kΩ/100 kΩ). */
    battery: 35,
    i2cData: 21,
    i2cClock: 22,
    /** The battery board's BOOT button behind a pinhole: held 10 s while running, a factory reset. */
    service: 0,
  }),
  i2c: Object.freeze({ data: 21, clock: 22, hz: 400_000, port: 0 }),
  /** ESP32 RTC GPIOs on a WROOM-32 (37 and 38 are not brought out): only these can end a deep sleep (ext1). */
  wakePins: Object.freeze([0, 2, 4, 12, 13, 14, 15, 25, 26, 27, 32, 33, 34, 35, 36, 39]),
  dividers: Object.freeze({ battery: 2 }),
  /** For installers and the wiring drawing (npm run wiring): the module, and what a wire needs beyond its part. */
  wiring: Object.freeze({
    module: 'ESP32-WROOM-32 on a battery board',
    chip: 'esp32' as const,
    notes: Object.freeze({
      button: 'external 100 kΩ pull-up to 3V3: the button still wakes the chip from deep sleep',
      buzzer: 'piezo with a built-in oscillator, through an NPN stage',
      vibration: 'motor through an NPN stage with a flyback diode',
      battery: '100 kΩ / 100 kΩ divider from the cell',
    }),
    fixtures: Object.freeze({
      service: Object.freeze({
        module: 'BOOT button on the module board (GPIO 0), behind a pinhole in the case',
        pins: Object.freeze({ SW: 'service' }),
        supply: 'none' as const,
        note: 'held 10 s while the device runs: factory reset (never hold it while powering on: that starts the flasher)',
      }),
    }),
  }),
}) satisfies Board;

export default esp32SosButton;
