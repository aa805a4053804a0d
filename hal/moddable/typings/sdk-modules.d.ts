// SDK modules that neither @moddable/typings nor the SDK's typings folder declare. Listed in
// manifests/shared.json under typescript.tsconfig.compilerOptions.types, so mcconfig's tsc sees it too.

/** $(MODDABLE)/build/devices/esp32/modules/resetReason: esp_reset_reason() with the SDK's label. */
declare module 'resetReason' {
  export default function getResetReason(): { reason: number; string: string };
}
