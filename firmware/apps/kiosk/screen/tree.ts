// One screen as plain data, for any renderer (Piu on the device, HTML in the simulator): what to show, never how
// to draw it. Text is always a string-table key plus parameters. layout.ts turns a tree into sized, paged nodes.
import type { StringKey, TextParams } from './strings/index.js';

export interface TextRef {
  readonly key: StringKey;
  readonly params?: TextParams;
}

/** A state shown by colour: the renderer's colour pair comes from it, and it always comes with text or an icon. */
export type Emphasis = 'normal' | 'strong' | 'ok' | 'warn' | 'alert';
export type Tone = 'primary' | 'plain' | 'danger';
export type StepState = 'done' | 'current' | 'todo';

export interface ButtonNode {
  readonly role: 'button';
  readonly id: string;
  readonly text: TextRef;
  readonly icon?: string;
  readonly tone?: Tone;
}
export interface HeadingNode { readonly role: 'heading'; readonly id: string; readonly text: TextRef }
export interface TextNode {
  readonly role: 'text';
  readonly id: string;
  readonly text: TextRef;
  readonly emphasis?: Emphasis;
  readonly icon?: string;
  /** Lines the text is expected to take at body size (notices, long prompts). */
  readonly lines?: number;
}
export interface ListNode { readonly role: 'list'; readonly id: string; readonly items: readonly ButtonNode[] }
/** Digits 0–9 and delete, delivered as key(digit) / key('del'); `entry` shows what has been typed. */
export interface KeypadNode {
  readonly role: 'keypad';
  readonly id: string;
  readonly entry: TextRef;
  /** The entry line says what was wrong (an alert, with its icon) instead of what has been typed. */
  readonly alert?: boolean;
}
export interface QrNode { readonly role: 'qr'; readonly id: string; readonly payload: string; readonly caption: TextRef }
export interface StepsNode {
  readonly role: 'steps';
  readonly id: string;
  readonly steps: readonly { readonly text: TextRef; readonly state: StepState }[];
}
export interface NoticeNode {
  readonly role: 'notice';
  readonly id: string;
  readonly title: TextRef;
  readonly body: TextRef;
  readonly expires: TextRef;
}
export interface StatusNode { readonly role: 'status'; readonly id: string; readonly text: TextRef; readonly state: 'offline' | 'queued' }

export type ScreenNode = HeadingNode | TextNode | ListNode | ButtonNode | KeypadNode | QrNode | StepsNode | NoticeNode | StatusNode;

export interface ScreenTree {
  /** The screen's name (the state machine's state). */
  readonly screen: string;
  readonly title: TextRef;
  readonly body: readonly ScreenNode[];
  /** The action bar: back, home, confirm... */
  readonly actions: readonly ButtonNode[];
  /** The speech clip (a `say.` key) for this screen's confirmation or readout. */
  readonly clip: StringKey;
}

export const text = (key: StringKey, params?: TextParams): TextRef => (params ? { key, params } : { key });
export const button = (id: string, key: StringKey, icon?: string, tone?: Tone, params?: TextParams): ButtonNode => ({
  role: 'button', id, text: text(key, params), ...(icon ? { icon } : {}), ...(tone ? { tone } : {}),
});
