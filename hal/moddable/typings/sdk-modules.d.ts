// SDK modules that neither @moddable/typings nor the SDK's typings folder declare (and our own natives). Listed in
// manifests/shared.json under typescript.tsconfig.compilerOptions.types, so mcconfig's tsc sees it too.

/** $(MODDABLE)/build/devices/esp32/modules/resetReason: esp_reset_reason() with the SDK's label. */
declare module 'resetReason' {
  export default function getResetReason(): { reason: number; string: string };
}

/**
 * Ours, not the SDK's: the SOS button's deep-sleep native (hal/moddable/esp32/deep-sleep.js + .c), mapped by
 * manifests/sos-button.json; its Linux build maps a stand-in that exports undefined. Shape: DeepSleepNative in
 * hal/moddable/system.ts.
 */
declare module 'deep-sleep' {
  const deepSleep: { start(ms: number, mask: number, level: 0 | 1, lowPin?: number): void; cause(): number; pins(): number; timerLeft(): number } | undefined;
  export default deepSleep;
}

/**
 * Ours, not the SDK's: the HX711 wire native (hal/moddable/esp32/hx711.js + .c), mapped by builds with a load
 * cell; their Linux build maps a stand-in that exports undefined. Shape: Hx711WireNative in hal/moddable/hx711.ts.
 */
declare module 'hx711' {
  const Wire: (new (data: number, clock: number) => { ready(): boolean; shift(pulses: number): number; close(): void }) | undefined;
  export default Wire;
}

/**
 * Ours, not the SDK's: ESP-IDF's app rollback natives (hal/moddable/esp32/ota-slots.js + .c) for the firmware binding
 * (hal/moddable/firmware.ts). Shape: OtaSlotsNative there.
 */
declare module 'ota-slots' {
  const slots: { runningState(): number; markValid(): number; lastInvalidVersion(): string | undefined; activateNext(): number } | undefined;
  export default slots;
}

/**
 * Ours, not the SDK's: the whole NVS partition erased (hal/moddable/esp32/nvs-erase.js + .c) for the factory reset;
 * the Linux build maps a stand-in that exports undefined. Shape: NvsEraseNative in hal/moddable/storage.ts.
 */
declare module 'nvs-erase' {
  const nvs: { eraseAll(): number } | undefined;
  export default nvs;
}
