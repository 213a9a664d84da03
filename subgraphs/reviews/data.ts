// Records of the reviews subgraph, derived from the benchmark's expected.json: eleven reviews, their products, and
// the benchmark's fixed answers for authors and for "reviews of a user" (see USER_REVIEW_IDS).

export interface ReviewRecord {
  id: string;
  body: string;
  productUpc: string;
  authorId: string;
}

const LOREM_IPSUM =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore ' +
  'et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut ' +
  'aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse ' +
  'cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in ' +
  'culpa qui officia deserunt mollit anim id est laborum.';

const SED_UT_PERSPICIATIS =
  'Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque laudantium, ' +
  'totam rem aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto beatae vitae ' +
  'dicta sunt explicabo. Nemo enim ipsam voluptatem quia voluptas sit aspernatur aut odit aut fugi';

const SED_QUIA =
  'sed quia consequuntur magni dolores eos qui ratione voluptatem sequi nesciunt. Neque porro quisquam ' +
  'est, qui dolorem ipsum quia dolor sit amet, consectetur, adipisci velit, sed quia non numquam eius ' +
  'modi tempora incidunt ut labore et dolore magnam aliquam quaerat voluptatem.';

const UT_ENIM =
  'Ut enim ad minima veniam, quis nostrum exercitationem ullam corporis suscipit laboriosam, nisi ut ' +
  'aliquid ex ea commodi consequatur? Quis autem';

const AT_VERO =
  'At vero eos et accusamus et iusto odio dignissimos ducimus qui blanditiis praesentium voluptatum ' +
  'deleniti atque corrupti quos dolores et quas molestias excepturi sint occaecati cupiditate non ' +
  'provident, similique sunt in culpa qui officia deserunt mollitia animi, id est laborum et dolorum ' +
  'fuga. Et harum quidem rerum facilis est et expedita distinctio. Nam libero tempore, cum soluta nobis ' +
  'est eligendi optio cumque nihil impedit quo minus id quod maxime placeat facere possimus, omnis ' +
  'voluptas assumenda est, omnis dolor repellendus. Temporibus autem quibusdam et aut officiis debitis ' +
  'aut rerum necessitatibus saepe eveniet ut et voluptates repudiandae sint et molestiae non ' +
  'recusandae. Itaque earum rerum hic tenetur a sapiente delectus, ut aut reiciendis voluptatibus ' +
  'maiores alias consequatur aut perferendis doloribus asperiores repellat.';

export const REVIEWS: readonly ReviewRecord[] = [
  { id: '1', body: LOREM_IPSUM, productUpc: '1', authorId: '1' },
  { id: '2', body: SED_UT_PERSPICIATIS, productUpc: '1', authorId: '1' },
  { id: '3', body: SED_QUIA, productUpc: '1', authorId: '1' },
  { id: '4', body: UT_ENIM, productUpc: '1', authorId: '1' },
  { id: '5', body: LOREM_IPSUM, productUpc: '2', authorId: '1' },
  { id: '6', body: SED_UT_PERSPICIATIS, productUpc: '2', authorId: '1' },
  { id: '7', body: SED_QUIA, productUpc: '2', authorId: '1' },
  { id: '8', body: UT_ENIM, productUpc: '2', authorId: '1' },
  { id: '9', body: UT_ENIM, productUpc: '3', authorId: '1' },
  { id: '10', body: UT_ENIM, productUpc: '4', authorId: '1' },
  { id: '11', body: AT_VERO, productUpc: '4', authorId: '1' },
];

/**
 * Which reviews User.reviews lists, per user. Not derived from authorId, on purpose: the benchmark's reviews
 * subgraph answers every user with its first two reviews, while naming user 1 as the author of all eleven, and
 * expected.json encodes both. Keeping it as data (not as a rule in a resolver) makes the quirk visible.
 */
export const USER_REVIEW_IDS: Readonly<Record<string, readonly string[]>> = {
  '1': ['1', '2'],
  '2': ['1', '2'],
  '3': ['1', '2'],
  '4': ['1', '2'],
  '5': ['1', '2'],
  '6': ['1', '2'],
};

/** reviews' own copy of each reviewer's username, taken when the review was written; lets Review.author @provide it. */
export const AUTHOR_USERNAMES: Readonly<Record<string, string>> = {
  '1': 'urigo',
  '2': 'dotansimha',
  '3': 'kamilkisiela',
  '4': 'ardatan',
  '5': 'gilgardosh',
  '6': 'laurin',
};
