import { isPreflightedRequest } from './csrf';

const required = ['x-apollo-operation-name', 'apollo-require-preflight'];

describe('isPreflightedRequest', () => {
  it('accepts JSON content types', () => {
    expect(isPreflightedRequest({ 'content-type': 'application/json; charset=utf-8' }, required)).toBe(true);
  });
  it('refuses simple requests a form or <img> could send', () => {
    expect(isPreflightedRequest({}, required)).toBe(false);
    expect(isPreflightedRequest({ 'content-type': 'text/plain' }, required)).toBe(false);
    expect(isPreflightedRequest({ 'content-type': 'multipart/form-data; boundary=x' }, required)).toBe(false);
  });
  it('accepts a simple request that carries a required header', () => {
    expect(isPreflightedRequest({ 'apollo-require-preflight': 'true' }, required)).toBe(true);
  });
});
