// Config keys are typed from the spec: a misspelt key or a number read of a boolean setting fails `tsc -b`
// (the @ts-expect-error lines below stop compiling if that ever stops being true), and values have their
// field's type. An untyped spec (ConfigSpec) still takes any key, checked at run time.
import { SOS_CONFIG } from '../../firmware/apps/sos-button/config.js';
import { ConfigStore, type ConfigSpec, type NumberKeys } from '../../firmware/runtime/config.js';
import { MemoryKeyValueStore } from '../../hal/host/storage/kv.js';

const SPEC = {
  pulseMs: { type: 'integer', min: 100, max: 30_000, default: 3000 },
  ratio: { type: 'number', min: 0, max: 1, default: 0.5 },
  failSafe: { type: 'boolean', default: false },
  mode: { type: 'string', maxLength: 16, default: 'normal' },
} satisfies ConfigSpec;

describe('typed config keys', () => {
  test('number() takes the integer and number keys of the spec only', () => {
    const config = new ConfigStore(SPEC, new MemoryKeyValueStore());
    expect(config.number('pulseMs')).toBe(3000);
    expect(config.number('ratio')).toBe(0.5);
    // @ts-expect-error misspelt
    expect(() => config.number('pulseMS')).toThrow(RangeError);
    // @ts-expect-error a boolean setting
    expect(() => config.number('failSafe')).toThrow(TypeError);
    const keys: NumberKeys<typeof SPEC>[] = ['pulseMs', 'ratio'];
    expect(keys).toHaveLength(2);
  });

  test('get() and values carry each field type', () => {
    const config = new ConfigStore(SPEC, new MemoryKeyValueStore());
    const failSafe: boolean = config.get('failSafe');
    const mode: string = config.values.mode;
    expect([failSafe, mode]).toEqual([false, 'normal']);
    // @ts-expect-error not in the spec
    expect(() => config.get('lockType')).toThrow(RangeError);
  });

  test("an app's spec keeps its keys: the SOS button's", () => {
    const config = new ConfigStore(SOS_CONFIG, new MemoryKeyValueStore());
    expect(config.number('checkInS')).toBe(21_600);
    // @ts-expect-error misspelt
    expect(() => config.number('checkinS')).toThrow(RangeError);
  });

  test('an untyped spec takes any key, checked at run time', () => {
    const spec: ConfigSpec = SPEC;
    const config = new ConfigStore(spec, new MemoryKeyValueStore());
    expect(config.number('pulseMs')).toBe(3000);
    expect(() => config.number('nope')).toThrow(RangeError);
  });
});
