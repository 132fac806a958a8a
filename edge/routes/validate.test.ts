import { describe, expect, it } from 'vitest';
import { toProblem } from '../../shared/errors.ts';
import { countJsonMembers, MAX_JSON_MEMBERS, parseJson } from './validate.ts';

describe('JSON bodies', () => {
  it('counts object members without parsing, ignoring colons and escaped quotes inside strings', () => {
    expect(countJsonMembers('{"a": 1, "b": {"c": [1, {"d": 2}]}}', 100)).toBe(4);
    expect(countJsonMembers('{"a:b": "x:y", "q\\\\": "\\":\\"", "e": ":"}', 100)).toBe(3);
    expect(countJsonMembers('[1, 2, "3:4"]', 100)).toBe(0);
    expect(countJsonMembers('{"a":1,"b":2,"c":3}', 1)).toBe(2);
  });

  it('refuses a text with more members than any request needs before parsing it', () => {
    const many = `{${Array.from({ length: MAX_JSON_MEMBERS + 1 }, (_, i) => `"k${i}":0`).join(',')}}`;
    const err = (() => {
      try {
        parseJson(many, 'body');
      } catch (e) {
        return e;
      }
    })();
    expect(toProblem(err, 'r').body).toMatchObject({ status: 400, type: 'https://refseg.dev/problems/json-too-complex', field: 'body', maxMembers: MAX_JSON_MEMBERS });
    const enough = `{${Array.from({ length: MAX_JSON_MEMBERS }, (_, i) => `"k${i}":0`).join(',')}}`;
    expect(Object.keys(parseJson(enough, 'body') as object)).toHaveLength(MAX_JSON_MEMBERS);
  });
});
