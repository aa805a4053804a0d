// Every fuzz target, in the order a run takes them.
import type { FuzzTarget } from '../target.js';
import { a02yyuwTarget } from './a02yyuw-serial.js';
import { alarmTarget } from './alarm.js';
import { commandTarget } from './command.js';
import { configTarget } from './config-desired.js';
import { credSyncTarget } from './cred-sync.js';
import { escposStatusTarget } from './escpos-status.js';
import { mqttPacketsTarget } from './mqtt-packets.js';
import { qrTarget } from './qr-serial.js';
import { visitorPassTarget } from './visitor-pass.js';
import { vl53l1xTarget } from './vl53l1x-result.js';
import { wiegandTarget } from './wiegand-frames.js';

/** Fresh instances (targets that hold devices keep them between inputs of one run). */
export function allTargets(): FuzzTarget[] {
  return [
    mqttPacketsTarget, commandTarget(), configTarget(), alarmTarget(), credSyncTarget(), visitorPassTarget(), wiegandTarget(), qrTarget(),
    a02yyuwTarget(), vl53l1xTarget(), escposStatusTarget(),
  ];
}
