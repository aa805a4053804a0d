// Stand-in for the SDK's ESP32-only "resetReason" module on the Linux simulator build: every start is a power-on.
export default function getResetReason(): { reason: number; string: string } {
  return { reason: 1, string: 'Power-On' };
}
