import { buildChangesPayload } from './notify';

describe('change notifications', () => {
  it('lists the changed ids per entity', () => {
    expect(JSON.parse(buildChangesPayload(7, { Job: ['1', '2'], Provider: ['0xab'] }))).toEqual({
      block: 7,
      entities: { Job: ['1', '2'], Provider: ['0xab'] },
    });
  });

  it('sends counts only when asked for a compact payload', () => {
    expect(JSON.parse(buildChangesPayload(3, { Job: ['1', '2'] }, true))).toEqual({ block: 3, entities: { Job: 2 }, truncated: true });
  });

  it('falls back to counts when the ids would not fit a Postgres payload', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `0x${i.toString(16).padStart(40, '0')}`);
    const payload = buildChangesPayload(9, { Provider: ids, Job: ['1'] });
    expect(payload.length).toBeLessThan(8000);
    expect(JSON.parse(payload)).toEqual({ block: 9, entities: { Provider: 2000, Job: 1 }, truncated: true });
  });
});
