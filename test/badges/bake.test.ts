import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../helper.js';
import { badgePng, bakePng, bakeSvg, extractPng, verifyCredential } from '../../src/badges/index.js';

const fixture = (f: string) => readFileSync(`${SHARED}spec/ob3/examples/validator-tests/ob30/${f}`);

describe('OB 3.0 baking', () => {
  it('reads the 1EdTech validator’s baked PNG, whose credential verifies', async () => {
    const json = extractPng(fixture('simple-json.png'));
    expect(json).toBeDefined();
    expect((await verifyCredential(JSON.parse(json!), { resolve: async () => undefined })).verified).toBe(true);
  });

  it('bakes one iTXt chunk (replacing an earlier one) and the image stays a PNG', () => {
    const once = bakePng(badgePng(), '{"a":"日本語"}');
    const twice = bakePng(once, '{"b":1}');
    expect(extractPng(once)).toBe('{"a":"日本語"}');
    expect(extractPng(twice)).toBe('{"b":1}');
    expect(twice.toString('latin1').split('openbadgecredential').length).toBe(2);
    expect(extractPng(badgePng())).toBeUndefined();
  });

  it('bakes SVG with the namespace and the element right after <svg>', () => {
    const svg = bakeSvg('<svg xmlns="http://www.w3.org/2000/svg"><title>x</title></svg>', '{"x":"]]>"}');
    expect(svg).toMatch(/^<svg xmlns:openbadges="https:\/\/purl.imsglobal.org\/ob\/v3p0" xmlns="http:\/\/www.w3.org\/2000\/svg"><openbadges:credential><!\[CDATA\[/);
    const fixtureSvg = fixture('simple-json.svg').toString('utf8');
    expect(fixtureSvg).toContain('<openbadges:credential>');
  });
});
