import { describe, expect, it } from 'vitest';
import { wordWrap } from '../../src/ui/text.js';

describe('wordWrap', () => {
  it('wraps prose at spaces and cuts words longer than the width', () => {
    expect(wordWrap('stop job 1234 with SIGTERM', 12)).toEqual(['stop job', '1234 with', 'SIGTERM']);
    expect(wordWrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it("keeps a command line's indentation, so the confirm dialog shows the script as it will run", () => {
    expect(wordWrap('  --model demo \\', 40)).toEqual(['  --model demo \\']);
    expect(wordWrap('  --model_args pretrained=a/b \\', 20)).toEqual(['  --model_args', 'pretrained=a/b \\']);
  });
});
