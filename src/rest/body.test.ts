import { encodeBody, encodeFormBody } from './body';

describe('encodeFormBody', () => {
  it.each([
    [{ sku: 'A-1', quantity: 3 }, 'sku=A-1&quantity=3'],
    [{ note: 'a b&c=d' }, 'note=a+b%26c%3Dd'],
    [{ price: { amount: 100, currency: 'EUR' } }, 'price%5Bamount%5D=100&price%5Bcurrency%5D=EUR'],
    [{ tags: ['x', 'y'] }, 'tags%5B0%5D=x&tags%5B1%5D=y'],
    [{ a: null, b: true, c: 'é\r\n' }, 'b=true&c=%C3%A9%0D%0A'],
    [{}, ''],
  ])('%j → %s', (value, expected) => {
    expect(encodeFormBody(value)).toBe(expected);
    // What a server's form parser reads back is exactly the flat fields.
    const back = Object.fromEntries(new URLSearchParams(expected));
    for (const [key, text] of Object.entries(back)) expect(typeof text === 'string' && key.length > 0).toBe(true);
  });

  it('a hostile key cannot add a field: it stays one (encoded) name', () => {
    const parsed = [...new URLSearchParams(encodeFormBody({ 'a=1&admin': 'true' }))];
    expect(parsed).toEqual([['a=1&admin', 'true']]);
  });

  it('refuses a body that is not an object', () => {
    expect(() => encodeFormBody('text')).toThrow(/object of fields/);
    expect(() => encodeFormBody([1])).toThrow(/object of fields/);
  });
});

describe('encodeBody', () => {
  it('JSON by default, carrying any string', () => {
    expect(encodeBody({ s: '\u0000"\n' }, 'json')).toEqual({ text: '{"s":"\\u0000\\"\\n"}', contentType: 'application/json' });
    expect(encodeBody(null, 'form')).toEqual({ text: '', contentType: 'application/x-www-form-urlencoded' });
  });
});
