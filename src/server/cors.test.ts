// The WebSocket Origin check (cross-site WebSocket hijacking): which browser origins may open a socket.
import { webSocketOriginAllowed } from './cors';

const cors = (origins: string[], enabled = true) => ({ enabled, origins, allowCredentials: false, allowHeaders: [], maxAge: 0 });

describe('webSocketOriginAllowed', () => {
  it('lets non-browser clients (no Origin) and the gateway’s own page through', () => {
    expect(webSocketOriginAllowed(cors([]), undefined, 'gw.example:4000')).toBe(true);
    expect(webSocketOriginAllowed(cors([], false), 'http://gw.example:4000', 'gw.example:4000')).toBe(true);
    expect(webSocketOriginAllowed(cors([], false), 'https://GW.example:4000', 'gw.example:4000')).toBe(true);
    // A default port written out in Host is the same origin; another port, or a Host that is not a host, is not.
    expect(webSocketOriginAllowed(cors([], false), 'https://gw.example', 'gw.example:443')).toBe(true);
    expect(webSocketOriginAllowed(cors([], false), 'http://gw.example', 'GW.example:80')).toBe(true);
    expect(webSocketOriginAllowed(cors([], false), 'http://gw.example', 'gw.example:8080')).toBe(false);
    expect(webSocketOriginAllowed(cors([], false), 'http://gw.example', 'gw.example/evil')).toBe(false);
    expect(webSocketOriginAllowed(cors([], false), 'http://gw.example', '@gw.example')).toBe(false);
  });

  it('allows only listed origins, exactly', () => {
    const config = cors(['https://app.example']);
    expect(webSocketOriginAllowed(config, 'https://app.example', 'gw.example')).toBe(true);
    for (const origin of ['https://evil.example', 'https://app.example.evil.example', 'https://app.example:8443', 'http://app.example', 'null', '', 'not a url']) {
      expect(webSocketOriginAllowed(config, origin, 'gw.example')).toBe(false);
    }
  });

  it('allows any origin with "*", none with CORS off', () => {
    expect(webSocketOriginAllowed(cors(['*']), 'https://anywhere.example', 'gw.example')).toBe(true);
    expect(webSocketOriginAllowed(cors(['*'], false), 'https://anywhere.example', 'gw.example')).toBe(false);
  });

  it('does not take a host that only looks like the gateway’s', () => {
    expect(webSocketOriginAllowed(cors([]), 'https://gw.example.evil.example', 'gw.example')).toBe(false);
    expect(webSocketOriginAllowed(cors([]), 'https://evil.example/gw.example', 'gw.example')).toBe(false);
  });
});
