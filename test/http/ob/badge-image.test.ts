import { describe, expect, it } from 'vitest';
import { badgeSvg } from '../../../src/http/ob/public.js';

const lines = (svg: string) => [...svg.matchAll(/<text[^>]*font-family="monospace">([^<]*)<\/text>/g)].map((m) => m[1]);

describe('the default badge image', () => {
  it('shows a single item’s Course of Study Code', () => {
    expect(lines(badgeSvg('8250213111100000', '1年 (ア)'))).toEqual(['8250213111100000']);
  });

  it('puts a group’s codes on lines of their own, at most three, so they stay inside the badge', () => {
    expect(lines(badgeSvg('8250213111100000 + 8250213111200000', 'group'))).toEqual(['8250213111100000', '8250213111200000']);
    const codes = ['8250213111100000', '8250213111200000', '8250213111300000', '8250213111400000', '8250213111500000'];
    expect(lines(badgeSvg(codes.join(' + '), 'unit'))).toEqual([codes[0], codes[1], '+ 3']);
  });

  it('escapes the name', () => {
    expect(badgeSvg('1', '<script>')).toContain('<title>&#60;script&#62;</title>');
  });
});
