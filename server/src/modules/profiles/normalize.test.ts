import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import {
  foldForSearch,
  IDENTIFIER_LIMITS,
  isBlockedValue,
  normalizeEmail,
  normalizeIdentifier,
  normalizeIdentifierType,
  normalizePhone,
} from './normalize.js';

describe('isBlockedValue', () => {
  describe('when the value is not a string or a number', () => {
    it.each([
      ['null', null],
      ['undefined', undefined],
      ['boolean', true],
      ['object', { id: 1 }],
      ['array', ['a']],
      ['bigint', 10n],
    ])('blocks %s', (_label, value) => {
      expect(isBlockedValue(value)).toBe(true);
    });
  });

  describe('when the value is a placeholder string', () => {
    it.each([
      '',
      '   ',
      '\t\n',
      '0',
      '000',
      '---',
      '0-0-0',
      ' 00 ',
      '-1',
      ' -1 ',
      'null',
      'NULL',
      'undefined',
      'Undefined',
      'anonymous',
      'nil',
      'None',
      'n/a',
      'N/A',
      'unknown',
      'UNKNOWN',
      '[object Object]',
      ' null ',
    ])('blocks %j', (value) => {
      expect(isBlockedValue(value)).toBe(true);
    });
  });

  describe('when the value is a placeholder number', () => {
    it.each([0, -0, -1, Number.NaN, Number.POSITIVE_INFINITY])('blocks %s', (value) => {
      expect(isBlockedValue(value)).toBe(true);
    });
  });

  describe('when the value is a real identifier', () => {
    it.each(['abc', 'u_123', '0912345678', '-2', '1-0', 'nullable', 'none2', 'a@b.co'])(
      'accepts %j',
      (value) => {
        expect(isBlockedValue(value)).toBe(false);
      },
    );

    it('accepts non-placeholder numbers', () => {
      expect(isBlockedValue(42)).toBe(false);
      expect(isBlockedValue(-2)).toBe(false);
    });
  });
});

describe('normalizeEmail', () => {
  describe('when the email is valid', () => {
    it('trims and lower-cases it', () => {
      expect(normalizeEmail('  Nguyen.Van.An@Example.COM \n')).toBe('nguyen.van.an@example.com');
    });

    it('keeps plus-addressing and subdomains', () => {
      expect(normalizeEmail('An+Promo@Mail.Example.vn')).toBe('an+promo@mail.example.vn');
    });
  });

  describe('when the email is not plausible', () => {
    it.each([
      'plainaddress',
      '@example.com',
      'an@',
      'an@localhost',
      'an@@example.com',
      'an@b@example.com',
      'an @example.com',
      'an@exa mple.com',
      'an@example.',
      'an@.example.com',
      'an@example..com',
    ])('rejects %j', (value) => {
      expect(normalizeEmail(value)).toBeNull();
    });

    it('rejects addresses longer than 254 characters', () => {
      const local = 'a'.repeat(64);
      const domain = `${'b'.repeat(185)}.com`; // 64 + 1 + 189 = 254
      expect(normalizeEmail(`${local}@${domain}`)).toBe(`${local}@${domain}`);
      expect(normalizeEmail(`${local}@b${domain}`)).toBeNull();
    });
  });

  describe('when the value is blocked or not a string', () => {
    it.each([null, undefined, '', '   ', 'null', 'N/A', 12345, { email: 'a@b.co' }])(
      'rejects %j',
      (value) => {
        expect(normalizeEmail(value)).toBeNull();
      },
    );
  });
});

describe('normalizePhone', () => {
  describe('when a Vietnamese mobile number is written in any common form', () => {
    it.each([
      '0912345678',
      '0912 345 678',
      '0912.345.678',
      '0912-345-678',
      '+84912345678',
      '+84 912 345 678',
      '84912345678',
      '(+84) 912-345-678',
      '(+84)912345678',
      '0084912345678',
      '0084 912 345 678',
      '+84 (0) 912 345 678',
      '+840912345678',
      '912345678',
      '  0912345678  ',
    ])('normalises %j to +84912345678', (value) => {
      expect(normalizePhone(value)).toBe('+84912345678');
    });
  });

  describe('when the number starts with 84 or 0 digits that could be ambiguous', () => {
    it('reads a 10-digit string starting with 0 as national', () => {
      expect(normalizePhone('0841234567')).toBe('+84841234567');
    });

    it('reads 11 digits starting with 84 followed by a valid mobile as +84', () => {
      expect(normalizePhone('84981234567')).toBe('+84981234567');
    });

    it('reads a 9-digit national number starting with 84 as national', () => {
      expect(normalizePhone('841234567')).toBe('+84841234567');
    });
  });

  describe('when the number carries an extension', () => {
    it.each([
      ['0912 345 678 ext. 12', '+84912345678'],
      ['0912345678 extension 12', '+84912345678'],
      ['0912345678x12', '+84912345678'],
      ['0912345678 #12', '+84912345678'],
      ['+14155552671;ext=89', '+14155552671'],
      ['+1 415 555 2671 x 89', '+14155552671'],
    ])('drops the extension of %j', (value, expected) => {
      expect(normalizePhone(value)).toBe(expected);
    });
  });

  describe('when a pre-2018 11-digit Vietnamese mobile number is given', () => {
    // old national prefix (with trunk 0) → new national prefix
    const legacy: ReadonlyArray<readonly [string, string]> = [
      ['0120', '070'],
      ['0121', '079'],
      ['0122', '077'],
      ['0126', '076'],
      ['0128', '078'],
      ['0123', '083'],
      ['0124', '084'],
      ['0125', '085'],
      ['0127', '081'],
      ['0129', '082'],
      ['0162', '032'],
      ['0163', '033'],
      ['0164', '034'],
      ['0165', '035'],
      ['0166', '036'],
      ['0167', '037'],
      ['0168', '038'],
      ['0169', '039'],
      ['0186', '056'],
      ['0188', '058'],
      ['0199', '059'],
    ];
    const subscriber = '2345678';

    it.each(legacy)('maps national %s… to %s…', (oldPrefix, newPrefix) => {
      expect(normalizePhone(`${oldPrefix}${subscriber}`)).toBe(`+84${newPrefix.slice(1)}${subscriber}`);
    });

    it.each(legacy)('maps +84 %s… to %s…', (oldPrefix, newPrefix) => {
      expect(normalizePhone(`+84${oldPrefix.slice(1)}${subscriber}`)).toBe(
        `+84${newPrefix.slice(1)}${subscriber}`,
      );
    });

    it.each(legacy)('maps 84 %s… (no plus) to %s…', (oldPrefix, newPrefix) => {
      expect(normalizePhone(`84${oldPrefix.slice(1)}${subscriber}`)).toBe(
        `+84${newPrefix.slice(1)}${subscriber}`,
      );
    });

    it.each([
      '01662345678',
      '0166 234 5678',
      '0166.234.5678',
      '+841662345678',
      '+84 166 234 5678',
      '(+84) 166-234-5678',
      '+84 (0) 166 234 5678',
      '841662345678',
      '00841662345678',
      '1662345678',
    ])('normalises %j to +84362345678', (value) => {
      expect(normalizePhone(value)).toBe('+84362345678');
    });

    it('maps +84 legacy numbers whatever the default country', () => {
      expect(normalizePhone('+841662345678', 'US')).toBe('+84362345678');
    });

    it('does not read bare legacy digits as Vietnamese for another default country', () => {
      expect(normalizePhone('01662345678', 'US')).toBeNull();
    });
  });

  describe('when a Vietnamese fixed-line number is given', () => {
    it.each([
      ['024 3825 1234', '+842438251234'],
      ['(024) 3825-1234', '+842438251234'],
      ['+84 24 3825 1234', '+842438251234'],
      ['+84 (0) 24 3825 1234', '+842438251234'],
      ['842438251234', '+842438251234'],
      ['2438251234', '+842438251234'],
      ['028 3829 1234', '+842838291234'],
      ['0236 382 1234', '+842363821234'],
    ])('normalises %j to %s', (value, expected) => {
      expect(normalizePhone(value)).toBe(expected);
    });
  });

  describe('when a foreign number is given with its country code', () => {
    it.each([
      ['+1 415 555 2671', '+14155552671'],
      ['+1 (415) 555-2671', '+14155552671'],
      ['+65 6123 4567', '+6561234567'],
      ['+65 9123 4567', '+6591234567'],
      ['+44 20 7946 0958', '+442079460958'],
      ['001 415 555 2671', '+14155552671'],
    ])('normalises %j to %s', (value, expected) => {
      expect(normalizePhone(value)).toBe(expected);
    });

    it('rejects an invalid foreign number', () => {
      expect(normalizePhone('+65 1234 5678')).toBeNull();
    });
  });

  describe('when a default country other than VN is given', () => {
    it('reads national numbers in that country', () => {
      expect(normalizePhone('(415) 555-2671', 'US')).toBe('+14155552671');
      expect(normalizePhone('6123 4567', 'SG')).toBe('+6561234567');
    });

    it('does not read Vietnamese national numbers as Vietnamese', () => {
      expect(normalizePhone('0912345678', 'SG')).toBeNull();
    });

    it('still accepts Vietnamese numbers with +84', () => {
      expect(normalizePhone('+84 912 345 678', 'SG')).toBe('+84912345678');
    });
  });

  describe('when the number is passed as a JS number', () => {
    it.each([
      [84912345678, '+84912345678'],
      [912345678, '+84912345678'],
      [842438251234, '+842438251234'],
      [841662345678, '+84362345678'],
      [1662345678, '+84362345678'],
    ])('normalises %d to %s', (value, expected) => {
      expect(normalizePhone(value)).toBe(expected);
    });

    it.each([0, -1, -84912345678, 84912345678.5, Number.NaN, Number.POSITIVE_INFINITY, 123])(
      'rejects %d',
      (value) => {
        expect(normalizePhone(value)).toBeNull();
      },
    );
  });

  describe('when the value is garbage', () => {
    it.each([
      'abc',
      '123',
      '0000000000',
      '---',
      '-1',
      'null',
      'NULL',
      'unknown',
      '',
      '   ',
      '+',
      '+84',
      '+84123',
      '091234567',
      '09123456789',
      '0912345678abc',
      '0912+345678',
      '0912/345/678',
      '+0912345678',
    ])('rejects %j', (value) => {
      expect(normalizePhone(value)).toBeNull();
    });

    it.each([null, undefined, true, {}, ['0912345678']])('rejects non-string %j', (value) => {
      expect(normalizePhone(value)).toBeNull();
    });
  });
});

describe('normalizeIdentifier', () => {
  describe('when the type is email', () => {
    it('normalises like normalizeEmail', () => {
      expect(normalizeIdentifier('email', ' An@Example.COM ')).toBe('an@example.com');
      expect(normalizeIdentifier('email', 'not-an-email')).toBeNull();
    });
  });

  describe('when the type is phone', () => {
    it('normalises like normalizePhone with VN by default', () => {
      expect(normalizeIdentifier('phone', '0166 234 5678')).toBe('+84362345678');
      expect(normalizeIdentifier('phone', '0000000000')).toBeNull();
    });

    it('uses the given default country', () => {
      expect(normalizeIdentifier('phone', '(415) 555-2671', { defaultCountry: 'US' })).toBe(
        '+14155552671',
      );
      expect(normalizeIdentifier('phone', '0912345678', { defaultCountry: 'US' })).toBeNull();
    });
  });

  describe('when the type name is not canonical', () => {
    it('normalises the type name before choosing the normaliser', () => {
      expect(normalizeIdentifier('Email', 'An@Example.com')).toBe('an@example.com');
      expect(normalizeIdentifier(' PHONE ', '0912345678')).toBe('+84912345678');
      expect(normalizeIdentifier('userId', ' U-1 ')).toBe('U-1');
    });

    it('returns null for an invalid type name', () => {
      expect(normalizeIdentifier('', 'abc')).toBeNull();
      expect(normalizeIdentifier('user.id', 'abc')).toBeNull();
    });
  });

  describe('when the type is any other built-in or custom type', () => {
    it.each([
      'user_id',
      'anonymous_id',
      'zalo_id',
      'messenger_psid',
      'loyalty_card',
      'pos_customer_id',
      'device_id',
      'shopee_buyer_id',
    ])('trims and preserves case for %s', (type) => {
      expect(normalizeIdentifier(type, '  AbC-123_xY  ')).toBe('AbC-123_xY');
    });

    it('keeps inner whitespace', () => {
      expect(normalizeIdentifier('loyalty_card', ' VIP 0001 ')).toBe('VIP 0001');
    });

    it('turns numbers into their decimal string', () => {
      expect(normalizeIdentifier('pos_customer_id', 123456)).toBe('123456');
      expect(normalizeIdentifier('zalo_id', 9007199254740991)).toBe('9007199254740991');
    });

    it('rejects numbers that cannot be exact identifiers', () => {
      expect(normalizeIdentifier('user_id', 1.5)).toBeNull();
      expect(normalizeIdentifier('user_id', 1e21)).toBeNull();
      expect(normalizeIdentifier('user_id', Number.NaN)).toBeNull();
    });

    it.each([null, undefined, '', '  ', '0', '000', '-1', 'null', 'Anonymous', '[object Object]', 0, -1, {}, true])(
      'rejects blocked value %j',
      (value) => {
        expect(normalizeIdentifier('user_id', value)).toBeNull();
      },
    );

    it('accepts up to 255 characters after trimming and rejects longer values', () => {
      expect(normalizeIdentifier('device_id', ` ${'a'.repeat(255)} `)).toBe('a'.repeat(255));
      expect(normalizeIdentifier('device_id', 'a'.repeat(256))).toBeNull();
    });

    it('removes NUL and replaces lone surrogates, as ingestion does', () => {
      expect(normalizeIdentifier('device_id', 'ab\u0000c\ud800')).toBe('abc\ufffd');
      expect(normalizeIdentifier('device_id', '\u0000')).toBeNull();
    });

    it('does not apply email or phone rules to other types', () => {
      expect(normalizeIdentifier('user_id', 'An@Example.COM')).toBe('An@Example.COM');
      expect(normalizeIdentifier('user_id', '0912 345 678')).toBe('0912 345 678');
    });
  });
});

describe('normalizeIdentifierType', () => {
  describe('when the name is camelCase, kebab-case or spaced', () => {
    it.each([
      ['userId', 'user_id'],
      ['anonymousId', 'anonymous_id'],
      ['zaloId', 'zalo_id'],
      ['Loyalty Card', 'loyalty_card'],
      ['messenger-psid', 'messenger_psid'],
      ['posCustomerId', 'pos_customer_id'],
      ['POSCustomerID', 'pos_customer_id'],
      ['userID', 'user_id'],
      ['device2Id', 'device2_id'],
      ['  Email ', 'email'],
      ['PHONE', 'phone'],
      ['USER_ID', 'user_id'],
      ['user - id', 'user_id'],
      ['user__id', 'user_id'],
      ['user_id', 'user_id'],
    ])('maps %j to %s', (raw, expected) => {
      expect(normalizeIdentifierType(raw)).toBe(expected);
    });
  });

  describe('when the name is invalid', () => {
    it.each(['', '   ', 'user.id', 'user@id', 'số_điện_thoại', 'a'.repeat(65)])('rejects %j', (raw) => {
      expect(normalizeIdentifierType(raw)).toBeNull();
    });

    it.each([null, undefined, 42, {}])('rejects non-string %j', (raw) => {
      expect(normalizeIdentifierType(raw)).toBeNull();
    });

    it('accepts exactly 64 characters', () => {
      expect(normalizeIdentifierType('a'.repeat(64))).toBe('a'.repeat(64));
    });
  });
});

describe('foldForSearch', () => {
  describe('when the text is Vietnamese with diacritics', () => {
    it.each([
      ['Nguyễn Văn Ân', 'nguyen van an'],
      ['Đặng Thị Hồng', 'dang thi hong'],
      ['đường Lê Lợi', 'duong le loi'],
      ['Trương Ngọc Ánh', 'truong ngoc anh'],
      ['PHẠM THỊ THU HƯƠNG', 'pham thi thu huong'],
    ])('folds %j to %j', (input, expected) => {
      expect(foldForSearch(input)).toBe(expected);
    });

    it('folds precomposed and decomposed input identically', () => {
      const precomposed = 'Hồ Chí Minh'.normalize('NFC');
      const decomposed = 'Hồ Chí Minh'.normalize('NFD');
      expect(foldForSearch(precomposed)).toBe('ho chi minh');
      expect(foldForSearch(decomposed)).toBe('ho chi minh');
    });
  });

  describe('when the text has irregular whitespace', () => {
    it('collapses and trims it', () => {
      expect(foldForSearch('  Lê \t  Văn\n\nTám  ')).toBe('le van tam');
    });
  });

  describe('when the text has no diacritics', () => {
    it('only lower-cases it', () => {
      expect(foldForSearch('John Smith 42')).toBe('john smith 42');
    });
  });
});

describe('identifier normalisers', () => {
  describe('when values are far longer than any identifier', () => {
    // Each of these once cost time in the square of its length (0.55 s for the first phone);
    // now the length is refused before a pattern runs. No timing here: bench/ measures speed.
    const spaces = ' '.repeat(30_000);
    it.each([
      ['a phone of 30,000 spaces between digits', () => normalizePhone(`1${spaces}2`)],
      ['a phone of 30,000 spaces before an extension', () => normalizePhone(`0912345678${spaces}x`)],
      ['a phone of 30,000 digits', () => normalizePhone('9'.repeat(30_000))],
      ['an email of 30,000 characters', () => normalizeEmail(`${'a'.repeat(30_000)}@example.com`)],
      ['a user id of 30,000 characters', () => normalizeIdentifier('user_id', 'u'.repeat(30_000))],
      ['a type name of 30,000 capitals', () => normalizeIdentifierType('A'.repeat(30_000))],
    ])('refuses %s', (_, run) => {
      expect(run()).toBeNull();
    });

    it('caps a phone at 32 characters and an email at 254, surrounding whitespace aside', () => {
      expect(IDENTIFIER_LIMITS).toMatchObject({ phone: 32, email: 254, other: 255 });
      const phone = (gap: number) => `+84 912 345 678${' '.repeat(gap)}ext. 12`;
      expect(phone(10)).toHaveLength(32);
      expect(normalizePhone(`  ${phone(10)}  `)).toBe('+84912345678');
      expect(normalizePhone(phone(11))).toBeNull();
      const email = `${'a'.repeat(64)}@${'b'.repeat(185)}.com`;
      expect(normalizeEmail(` ${email} `)).toBe(email);
    });
  });

  describe('for any JSON value (property)', () => {
    /** NUL, lone surrogates and what phones and emails are made of. */
    const unit = fc.constantFrom('\u0000', '\ud800', '\udfff', '😀', 'đ', ' ', '+', '0', '8', '4', '9', '1', '3', '5', '6', 'x', 'e', 't', '#', ';', '=', ':', '.', '-', '(', ')', '@', 'a', 'A', 'Z', '_');
    const text = fc.string({ unit, maxLength: 40 });
    const anyValue = fc.oneof(text, fc.jsonValue({ maxDepth: 2, stringUnit: unit }), fc.integer(), fc.double());
    const storable = (s: string) => !s.includes('\u0000') && s.isWellFormed();

    const normalisers: [string, (v: unknown) => string | null, number][] = [
      ['normalizeEmail', normalizeEmail, IDENTIFIER_LIMITS.email],
      ['normalizePhone', (v) => normalizePhone(v), 16],
      ['normalizeIdentifier(user_id)', (v) => normalizeIdentifier('user_id', v), IDENTIFIER_LIMITS.other],
      ['normalizeIdentifier(zalo_id)', (v) => normalizeIdentifier('zaloId', v), IDENTIFIER_LIMITS.other],
      ['normalizeIdentifierType', normalizeIdentifierType, 64],
    ];

    it.each(normalisers)('%s never throws, returns null or a storable string within its cap, and is idempotent', (_, normalise, cap) => {
      fc.assert(
        fc.property(anyValue, (v) => {
          const once = normalise(v);
          if (once === null) return;
          expect(typeof once).toBe('string');
          expect(storable(once)).toBe(true);
          expect(once.length).toBeLessThanOrEqual(cap);
          expect(normalise(once)).toBe(once);
        }),
        { numRuns: 1000 },
      );
    });

    it('finds valid phones among the generated ones (the property is not vacuous)', () => {
      const found = fc.sample(fc.array(fc.constantFrom('0', '9', '1', '2', '3', '4', '5', '6', '7', '8'), { minLength: 9, maxLength: 9 }), 50)
        .map((d) => normalizePhone(`09${d.join('').slice(1)}`))
        .filter((p) => p !== null);
      expect(found.length).toBeGreaterThan(0);
    });
  });
});
