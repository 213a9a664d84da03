// @apollo/gateway refuses supergraph links marked `for: SECURITY` it doesn't implement — which includes
// Apollo's auth specs (@authenticated, @requiresScopes, @policy). Tollgate enforces those itself
// (src/policy/authorization/), so it drops the `for: SECURITY` purpose from exactly those links; every other
// unsupported security or execution feature is still refused.
const TOLLGATE_ENFORCED_SPECS = ['authenticated', 'requiresScopes', 'policy'];

const AUTH_LINK = new RegExp(
  `(@link\\(\\s*url:\\s*"https://specs\\.apollo\\.dev/(?:${TOLLGATE_ENFORCED_SPECS.join('|')})/v[0-9.]+"[^)]*?),?\\s*for:\\s*SECURITY`,
  'g',
);

/** The supergraph with Tollgate-enforced auth links made loadable by @apollo/gateway. */
export function relaxTollgateEnforcedLinks(supergraphSdl: string): string {
  return supergraphSdl.replace(AUTH_LINK, '$1');
}
