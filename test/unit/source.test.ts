// Source bytes are read as Python reads them (PEP 263): UTF-8 unless a coding cookie on the first
// line, or on the second after a blank or comment line, names another encoding.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSource } from '../../server/src/engine/source';
import { rng } from '../random';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('decodeSource', () => {
  it('reads UTF-8 by default, without its byte order mark', () => {
    assert.deepEqual(decodeSource(Buffer.from('x = "café"\n')), { text: 'x = "café"\n' });
    assert.deepEqual(decodeSource(Buffer.from('\ufeffx = 1\n')), { text: 'x = 1\n' });
    assert.deepEqual(decodeSource(bytes('x = "caf', [0xe9], '"\n')), { skipped: 'not valid UTF-8' });
  });

  it('reads the encoding a cookie declares, on the first line or after a shebang', () => {
    assert.deepEqual(decodeSource(bytes('# -*- coding: latin-1 -*-\nx = "caf', [0xe9], '"\n')), { text: '# -*- coding: latin-1 -*-\nx = "café"\n' });
    assert.deepEqual(decodeSource(bytes('#!/usr/bin/env python\n# vim: set fileencoding=koi8_r :\nx = "', [0xf0, 0xd2], '"\n')), {
      text: '#!/usr/bin/env python\n# vim: set fileencoding=koi8_r :\nx = "Пр"\n',
    });
    // Python's latin-1 maps 0x80-0x9f to control characters, not to windows-1252's letters.
    assert.deepEqual(decodeSource(bytes('# coding=iso8859_1\nx = "', [0x80], '"\n')), { text: '# coding=iso8859_1\nx = "\u0080"\n' });
    assert.deepEqual(decodeSource(bytes('# coding: cp1252\nx = "', [0x80], '"\n')), { text: '# coding: cp1252\nx = "€"\n' });
  });

  it('looks no further than a second line that follows code', () => {
    assert.deepEqual(decodeSource(bytes('import os\n# coding: latin-1\nx = "', [0xe9], '"\n')), { skipped: 'not valid UTF-8' });
  });

  it('skips, saying why, what it cannot read as declared', () => {
    assert.deepEqual(decodeSource(bytes('# coding: x-bogus\nx = 1\n')), { skipped: 'declares encoding x-bogus, which SecLens cannot decode' });
    assert.deepEqual(decodeSource(bytes('# coding: ascii\nx = "', [0xe9], '"\n')), { skipped: 'not valid ASCII, the encoding it declares' });
    assert.deepEqual(decodeSource(bytes('# coding: utf-8\nx = "', [0xe9], '"\n')), { skipped: 'not valid UTF-8' });
    assert.deepEqual(decodeSource(bytes([0xef, 0xbb, 0xbf], '# coding: latin-1\nx = 1\n')), { skipped: 'starts with a UTF-8 byte order mark but declares latin-1' });
    assert.deepEqual(decodeSource(bytes('# coding: shift_jis\nx = "', [0x93], '"\n')), { skipped: 'not valid shift_jis, the encoding it declares' });
    assert.deepEqual(decodeSource(bytes('# coding: utf-16\nx = 1\n')), { skipped: 'declares encoding utf-16, in which Python cannot read source' });
  });

  it('never throws, whatever the bytes', () => {
    const random = rng(263);
    const cookies = ['', '# coding: latin-1\n', '# coding: cp1252\n', '# coding: koi8-r\n', '# coding: euc-jp\n', '# coding: ascii\n', '#!/bin/sh\n# coding=utf8\n'];
    for (let i = 0; i < 500; i++) {
      const body = Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)));
      const decoded = decodeSource(Buffer.concat([Buffer.from(cookies[i % cookies.length], 'latin1'), body]));
      assert.ok('text' in decoded ? typeof decoded.text === 'string' : decoded.skipped.length > 0);
    }
  });
});
