import { ConfigStore, type ConfigSpec } from '../../firmware/runtime/config.js';
import { MemoryKeyValueStore } from '../../hal/host/storage/kv.js';

const spec: ConfigSpec = {
  pulseMs: { type: 'integer', min: 100, max: 30_000, default: 3000 },
  failSafe: { type: 'boolean', default: false },
  mode: { type: 'string', maxLength: 16, default: 'normal', values: ['normal', 'lockdown'] },
};

describe('ConfigStore', () => {
  it('starts from defaults at version 0', () => {
    const config = new ConfigStore(spec, new MemoryKeyValueStore());
    expect(config.version).toBe(0);
    expect(config.values).toEqual({ pulseMs: 3000, failSafe: false, mode: 'normal' });
  });

  it('applies a valid desired document, persists it and tells listeners what changed', () => {
    const kv = new MemoryKeyValueStore();
    const config = new ConfigStore(spec, kv);
    const seen: string[][] = [];
    config.onChange((changed) => seen.push(changed));
    expect(config.applyDesired(3, { pulseMs: 5000, mode: 'lockdown' })).toEqual({ status: 'applied', changed: ['pulseMs', 'mode'] });
    expect(seen).toEqual([['pulseMs', 'mode']]);
    const reloaded = new ConfigStore(spec, kv);
    expect(reloaded.version).toBe(3);
    expect(reloaded.values).toEqual({ pulseMs: 5000, failSafe: false, mode: 'lockdown' });
  });

  it.each([
    [{ pulseMs: 50 }, 'pulseMs: must be between 100 and 30000'],
    [{ pulseMs: 1000.5 }, 'pulseMs: expected an integer'],
    [{ pulseMs: '1000' }, 'pulseMs: expected a integer'],
    [{ failSafe: 1 }, 'failSafe: expected true or false'],
    [{ mode: 'party' }, 'mode: must be one of normal, lockdown'],
    [{ colour: 'red' }, 'unknown setting "colour"'],
  ])('rejects %j with a reason and keeps the old configuration', (document, reason) => {
    const kv = new MemoryKeyValueStore();
    const config = new ConfigStore(spec, kv);
    config.applyDesired(1, { pulseMs: 4000 });
    const outcome = config.applyDesired(2, document);
    expect(outcome).toEqual({ status: 'rejected', reason });
    expect(config.version).toBe(1);
    expect(config.values.pulseMs).toBe(4000);
    expect(new ConfigStore(spec, kv).values.pulseMs).toBe(4000);
  });

  it('refuses stale versions and ignores a repeat of the version in force', () => {
    const config = new ConfigStore(spec, new MemoryKeyValueStore());
    config.applyDesired(5, { pulseMs: 4000 });
    expect(config.applyDesired(4, { pulseMs: 200 }).status).toBe('stale');
    expect(config.applyDesired(5, { pulseMs: 4000 })).toEqual({ status: 'unchanged' });
    expect(config.applyDesired(5, { pulseMs: 9000 }).status).toBe('stale');
    expect(config.values.pulseMs).toBe(4000);
  });

  it('falls back to defaults when the stored document is corrupt', () => {
    const kv = new MemoryKeyValueStore();
    kv.set('cfg', 'doc', '{not json');
    expect(new ConfigStore(spec, kv).values.pulseMs).toBe(3000);
  });
});

describe('rules across fields (the app\'s checkConfig)', () => {
  const spans = { low: { type: 'integer', min: 0, max: 100, default: 10 }, high: { type: 'integer', min: 0, max: 100, default: 80 } } satisfies ConfigSpec;
  const check = (values: Record<string, unknown>) => ((values.low as number) < (values.high as number) ? undefined : 'low must be below high');

  test('a document whose fields are each in range but together refused is rejected with the rule\'s reason', () => {
    const kv = new MemoryKeyValueStore();
    const config = new ConfigStore(spans, kv, check);
    expect(config.applyDesired(2, { low: 90, high: 50 })).toEqual({ status: 'rejected', reason: 'low must be below high' });
    expect(config.values).toEqual({ low: 10, high: 80 });
    expect(kv.get('cfg', 'doc')).toBeUndefined();
    expect(config.applyDesired(3, { low: 20, high: 50 }).status).toBe('applied');
  });

  test('a stored document the rules now refuse is not loaded: the defaults stand', () => {
    const kv = new MemoryKeyValueStore();
    new ConfigStore(spans, kv).applyDesired(2, { low: 90, high: 50 }); // stored by a firmware without the rule
    expect(new ConfigStore(spans, kv, check).values).toEqual({ low: 10, high: 80 });
  });
});
