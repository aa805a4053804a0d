// A push button (firmware/io/button.ts) on `pin`, debounced: press, long press and release (with how long it was
// held) reach the app's events.
import { Button } from '../io/button.js';
import { singlePinKind } from './part.js';

export interface ButtonCallbacks {
  press(): void;
  longPress(): void;
  release(heldMs: number): void;
}

export interface ButtonOptions {
  /** Pressed pulls the line low (default true). */
  readonly activeLow?: boolean;
  readonly debounceMs?: number;
  readonly longPressMs?: number;
}

export const button = singlePinKind<Button, ButtonCallbacks, ButtonOptions>('button', (context, options) =>
  new Button({
    io: context.device.io.Digital, pin: context.pin('pin'), timers: context.timers, clock: context.clock, ...options,
    onPress: context.callback('press'),
    onLongPress: context.callback('longPress'),
    onRelease: context.callback<[heldMs: number]>('release'),
  }));
