// A touch on a rendered node, as the screen model's input: keypad keys are laid out as nodes `key.<k>` and go to
// key(k); everything else is a tap by id. One place, so every renderer on the device delivers the same way.

export type KioskInput = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'tap'; readonly id: string };

const KEY_PREFIX = 'key.';

export function inputFor(id: string): KioskInput {
  return id.startsWith(KEY_PREFIX) ? { kind: 'key', key: id.slice(KEY_PREFIX.length) } : { kind: 'tap', id };
}

/** Hands a touched node's id to the model; false when the model did not take it (stale screen, unknown id). */
export function deliver(kiosk: { tap(id: string): boolean; key(k: string): boolean }, id: string): boolean {
  const input = inputFor(id);
  return input.kind === 'key' ? kiosk.key(input.key) : kiosk.tap(input.id);
}
