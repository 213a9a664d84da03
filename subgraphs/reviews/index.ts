// reviews subgraph: schema, resolvers and server. The review graph (review → product, review → author → reviews)
// is linked once at load, so resolving the benchmark's deep selections is plain property access.
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { runStandalone } from '../lib/runStandalone';
import { loadSubgraphTypeDefs } from '../lib/schemaFile';
import { serveSubgraph, type SubgraphServer } from '../lib/serveSubgraph';
import { withSyncEntities } from '../lib/syncEntities';
import { AUTHOR_USERNAMES, REVIEWS, USER_REVIEW_IDS } from './data';
import { Feed } from './feed';

export const NAME = 'reviews';
export const DEFAULT_PORT = 4103;

interface ReviewSource {
  id: string;
  body: string;
  product: ProductSource;
  author: UserSource;
}

interface UserSource {
  id: string;
  /** @external here; answered from reviews' own copy, which is what Review.author @provides. */
  username: string | null;
  reviews: ReviewSource[];
}

interface ProductSource {
  upc: string;
  reviews: ReviewSource[];
}

const usersById = new Map<string, UserSource>();
const productsByUpc = new Map<string, ProductSource>();
const reviewsById = new Map<string, ReviewSource>();

function userSource(id: string): UserSource {
  let user = usersById.get(id);
  if (user === undefined) {
    user = { id, username: AUTHOR_USERNAMES[id] ?? null, reviews: [] };
    usersById.set(id, user);
  }
  return user;
}

function productSource(upc: string): ProductSource {
  let product = productsByUpc.get(upc);
  if (product === undefined) {
    product = { upc, reviews: [] };
    productsByUpc.set(upc, product);
  }
  return product;
}

for (const { id, body, productUpc, authorId } of REVIEWS) {
  const review: ReviewSource = { id, body, product: productSource(productUpc), author: userSource(authorId) };
  review.product.reviews.push(review);
  reviewsById.set(id, review);
}
for (const [userId, reviewIds] of Object.entries(USER_REVIEW_IDS)) {
  const user = userSource(userId);
  for (const reviewId of reviewIds) {
    const review = reviewsById.get(reviewId);
    if (review === undefined) throw new Error(`reviews data: user ${userId} lists unknown review ${reviewId}`);
    user.reviews.push(review);
  }
}

/** Reviews added at run time, as `reviewAdded` streams them (tests publish and count subscribers here). */
export const reviewFeed = new Feed<ReviewSource>();
let added = 0;

export function buildSchema(): GraphQLSchema {
  const schema = buildSubgraphSchema({
    typeDefs: loadSubgraphTypeDefs(NAME),
    resolvers: {
      Query: {
        review: (_: unknown, args: { id: string }): ReviewSource | null => reviewsById.get(args.id) ?? null,
      },
      Mutation: {
        addReview: (_: unknown, args: { upc: string; body: string; authorId: string }): ReviewSource => {
          added += 1;
          // Not linked into product.reviews / user.reviews: the benchmark's answers stay fixed however many are added.
          const review: ReviewSource = { id: `added-${added}`, body: args.body, product: productSource(args.upc), author: userSource(args.authorId) };
          reviewsById.set(review.id, review);
          reviewFeed.publish(review);
          return review;
        },
      },
      Subscription: {
        reviewAdded: {
          subscribe: (_: unknown, args: { upc?: string | null }) => reviewFeed.subscribe((review) => !args.upc || review.product.upc === args.upc),
          resolve: (review: ReviewSource) => review,
        },
      },
      Review: {
        __resolveReference: (ref: { id: string }): ReviewSource | null => reviewsById.get(ref.id) ?? null,
      },
      // Users and products live elsewhere; one this subgraph has no reviews for simply has none.
      User: {
        __resolveReference: (ref: { id: string }): UserSource =>
          usersById.get(ref.id) ?? { id: ref.id, username: null, reviews: [] },
      },
      Product: {
        __resolveReference: (ref: { upc: string }): ProductSource =>
          productsByUpc.get(ref.upc) ?? { upc: ref.upc, reviews: [] },
      },
    },
  });
  return withSyncEntities(schema);
}

export function start(port = 0, host = '127.0.0.1'): Promise<SubgraphServer> {
  return serveSubgraph({ name: NAME, schema: buildSchema(), port, host, subscriptions: true });
}

if (require.main === module) runStandalone(NAME, DEFAULT_PORT, start);
