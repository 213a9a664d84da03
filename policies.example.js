// @policy rules for the example graph (authorization.policies in tollgate.example.yaml): graphql-shield rules that see
// the caller (ctx.principal: subject, client, plan, scopes, claims) and the field's arguments.
const { rule, or } = require('graphql-shield');

const hasRole = (role) => rule({ cache: 'no_cache' })((_parent, _args, ctx) => ctx.principal.claims.role === role);
const hasScope = (scope) => rule({ cache: 'no_cache' })((_parent, _args, ctx) => ctx.principal.scopes.has(scope));

module.exports = {
  policies: {
    // Product.costPrice
    staff: or(hasRole('staff'), hasScope('staff')),
  },
};
