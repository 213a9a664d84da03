// Records of the accounts subgraph: the benchmark's six users (names and usernames appear in expected.json), their
// wishlists (product SKUs) and who manages each inventory facility.

export interface UserRecord {
  id: string;
  name: string;
  username: string;
  /** Unix seconds; the benchmark gives every user the same value. */
  birthday: number;
}

export interface FacilityManagerRecord {
  region: string;
  code: string;
  managerId: string;
}

export const USERS: readonly UserRecord[] = [
  { id: '1', name: 'Uri Goldshtein', username: 'urigo', birthday: 1234567890 },
  { id: '2', name: 'Dotan Simha', username: 'dotansimha', birthday: 1234567890 },
  { id: '3', name: 'Kamil Kisiela', username: 'kamilkisiela', birthday: 1234567890 },
  { id: '4', name: 'Arda Tanrikulu', username: 'ardatan', birthday: 1234567890 },
  { id: '5', name: 'Gil Gardosh', username: 'gilgardosh', birthday: 1234567890 },
  { id: '6', name: 'Laurin Quast', username: 'laurin', birthday: 1234567890 },
];

/** Product SKUs per user id; accounts stores only the SKU, products resolves the product. */
export const WISHLIST_SKUS: Readonly<Record<string, readonly string[]>> = {
  '1': ['FURN-COUCH-01', 'ELEC-TV-01'],
  '2': ['KITCH-GLASS-01'],
  '3': [],
  '4': ['FURN-CHAIR-01', 'FURN-TABLE-01'],
  '5': ['ELEC-TV-01'],
  '6': ['FURN-TABLE-01'],
};

/** Keyed like inventory's facilities: (region, code). */
export const FACILITY_MANAGERS: readonly FacilityManagerRecord[] = [
  { region: 'eu-central', code: 'FRA1', managerId: '3' },
  { region: 'us-east', code: 'EWR2', managerId: '2' },
  { region: 'eu-central', code: 'BER-S1', managerId: '6' },
];
