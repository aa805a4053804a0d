// What every app's alarm lifecycle (or set) takes from its device runtime: storage, time, the durable outbox, the
// device's id, and the two settings every alarming device has (`acceptTimeoutS`, `maxReminders`). One place, so
// that an app only names its causes, its key-value domain and what it shows.
import type { ConfigSpec } from '../runtime/config.js';
import type { DeviceRuntime } from '../runtime/device-runtime.js';
import type { AlarmLifecycleOptions } from './alarm-lifecycle.js';

export type RuntimeAlarmHooks = Pick<AlarmLifecycleOptions<string>,
  'kv' | 'timers' | 'clock' | 'wallClock' | 'settings' | 'emit' | 'nextSeq' | 'delivered' | 'deviceId'>;

/** The settings an alarming app declares (integers, in seconds and a count). */
type AlarmSettingsSpec = ConfigSpec & {
  acceptTimeoutS: { type: 'integer'; min: number; max: number; default: number };
  maxReminders: { type: 'integer'; min: number; max: number; default: number };
};

export function runtimeAlarmHooks<S extends AlarmSettingsSpec>(runtime: DeviceRuntime<S>): RuntimeAlarmHooks {
  const hal = runtime.hal;
  const config = runtime.config;
  return {
    kv: hal.storage.kv,
    timers: hal.timers,
    clock: hal.clock,
    wallClock: hal.wallClock,
    // Read at each use: a config change applies to the next reminder. (S guarantees both keys are integers.)
    settings: () => {
      const values = config.values as Readonly<Record<string, unknown>>;
      return { acceptTimeoutS: values.acceptTimeoutS as number, maxReminders: values.maxReminders as number };
    },
    emit: (type, data) => runtime.emit(type, data),
    nextSeq: () => runtime.outbox.nextSeq,
    delivered: () => runtime.state === 'online' && runtime.outbox.depth === 0,
    deviceId: () => runtime.deviceId ?? hal.system.hardwareId,
  };
}
