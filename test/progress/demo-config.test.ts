import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('when npm start seeds the demo class', () => {
  it('on the first start of an empty embedded database, never by default on DATABASE_URL, always with SHIRUBE_DEMO=1', () => {
    expect(loadConfig({}).seedDemo).toBe('first-start');
    expect(loadConfig({ DATABASE_URL: 'postgres://db.example/shirube' }).seedDemo).toBe('no');
    expect(loadConfig({ DATABASE_URL: 'postgres://db.example/shirube', SHIRUBE_DEMO: '1' }).seedDemo).toBe('yes');
    expect(loadConfig({ SHIRUBE_DEMO: 'true' }).seedDemo).toBe('yes');
    expect(loadConfig({ SHIRUBE_DEMO: '0' }).seedDemo).toBe('no');
  });
});
