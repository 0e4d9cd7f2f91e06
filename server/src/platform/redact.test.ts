import { describe, expect, it } from 'vitest';
import { personalRedactor } from './redact';

describe('personalRedactor', () => {
  describe('when a value appears as a whole token', () => {
    it('finds and replaces it whatever its case, inside longer text', () => {
      const r = personalRedactor(['lan@example.vn', '+84912345678', 'Phạm Thị Lan']);
      expect(r.mentions('store-guest:LAN@Example.vn')).toBe(true);
      expect(r.redact('PHẠM THỊ LAN gọi từ +84912345678, email lan@example.vn')).toBe('[erased] gọi từ [erased], email [erased]');
    });
  });

  describe('when a value is only part of a longer word', () => {
    it('leaves it, so a short anonymous id does not take other ids with it', () => {
      const r = personalRedactor(['a1']);
      expect(r.mentions('data1 ca1 a12')).toBe(false);
      expect(r.redact('cart:a1:v2')).toBe('cart:[erased]:v2');
    });
  });

  describe('when one value contains another', () => {
    it('replaces the longer one whole', () => {
      expect(personalRedactor(['0912345678', '0912345678 ext']).redact('gọi 0912345678 ext 2')).toBe('gọi [erased] 2');
    });
  });

  describe('when given no usable values', () => {
    it('matches nothing', () => {
      const r = personalRedactor(['', '  ']);
      expect(r.mentions('anything')).toBe(false);
      expect(r.redact('anything')).toBe('anything');
    });
  });

  describe('when values hold regular-expression characters', () => {
    it('matches them literally', () => {
      const r = personalRedactor(['a.b+c@x.vn']);
      expect(r.mentions('aXb+c@x.vn')).toBe(false);
      expect(r.mentions('to a.b+c@x.vn')).toBe(true);
    });
  });
});
