// Records of the legacy pricing service, stored the way the old system stores them: snake_case, cents, string
// dates. SKUs are the products subgraph's; suppliers exist only here.

export interface PriceRecord {
  sku: string;
  amount_cents: number;
  currency: string;
  /** "YYYY-MM-DD", as the legacy system writes dates. */
  updated_at: string;
  supplier_id: string;
}

export interface PricePointRecord {
  amount_cents: number;
  currency: string;
  effective_from: string;
}

export interface SupplierRecord {
  id: string;
  name: string;
  country: string;
  onboarded_on: string;
  contact_email: string;
  contact_phone: string | null;
}

/** A temporary price that replaces the list price (a promotion, a negotiated price), written over REST. */
export interface OverrideRecord {
  id: string;
  sku: string;
  amount_cents: number;
  currency: string;
  reason: string;
  /** "YYYY-MM-DD" or null (until deleted). */
  valid_until: string | null;
}

export interface LegacyPricingData {
  prices: PriceRecord[];
  /** Newest first, per SKU. */
  history: Record<string, PricePointRecord[]>;
  suppliers: SupplierRecord[];
  /** Price overrides, oldest first; created, replaced and deleted over POST/PUT/PATCH/DELETE. @default [] */
  overrides?: OverrideRecord[];
}

export const PRICES: readonly PriceRecord[] = [
  { sku: 'FURN-TABLE-01', amount_cents: 94900, currency: 'USD', updated_at: '2026-10-01', supplier_id: 'S1' },
  { sku: 'FURN-COUCH-01', amount_cents: 139900, currency: 'USD', updated_at: '2026-09-15', supplier_id: 'S1' },
  { sku: 'KITCH-GLASS-01', amount_cents: 1500, currency: 'USD', updated_at: '2026-08-20', supplier_id: 'S2' },
  { sku: 'FURN-CHAIR-01', amount_cents: 52900, currency: 'USD', updated_at: '2026-10-03', supplier_id: 'S1' },
  { sku: 'ELEC-TV-01', amount_cents: 129900, currency: 'USD', updated_at: '2026-07-30', supplier_id: 'S3' },
];

export const HISTORY: Readonly<Record<string, readonly PricePointRecord[]>> = {
  'FURN-TABLE-01': [
    { amount_cents: 94900, currency: 'USD', effective_from: '2026-10-01' },
    { amount_cents: 89900, currency: 'USD', effective_from: '2026-04-01' },
    { amount_cents: 84900, currency: 'USD', effective_from: '2025-11-15' },
  ],
  'FURN-COUCH-01': [{ amount_cents: 139900, currency: 'USD', effective_from: '2026-09-15' }],
};

export const SUPPLIERS: readonly SupplierRecord[] = [
  { id: 'S1', name: 'Nordwood Furniture', country: 'SE', onboarded_on: '2019-03-04', contact_email: 'orders@nordwood.example', contact_phone: '+46 8 123 456' },
  { id: 'S2', name: 'Clearline Glassworks', country: 'CZ', onboarded_on: '2021-06-21', contact_email: 'sales@clearline.example', contact_phone: null },
  { id: 'S3', name: 'Pixel & Co', country: 'KR', onboarded_on: '2023-01-09', contact_email: 'b2b@pixelco.example', contact_phone: '+82 2 555 0100' },
];

/** Fresh copies of the default data, so a test that adds records never changes another's. */
export function defaultData(): LegacyPricingData {
  return {
    prices: PRICES.map((p) => ({ ...p })),
    history: Object.fromEntries(Object.entries(HISTORY).map(([sku, points]) => [sku, points.map((p) => ({ ...p }))])),
    suppliers: SUPPLIERS.map((s) => ({ ...s })),
    overrides: [],
  };
}
