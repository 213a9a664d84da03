// Records of the inventory subgraph: three facilities (two warehouses, one store) and stock per product and
// facility. A product is in stock when some facility holds at least one, which gives expected.json's inStock values.

export type FacilityRecord =
  | { __typename: 'Warehouse'; region: string; code: string; name: string; city: string; capacity: number }
  | { __typename: 'Store'; region: string; code: string; name: string; city: string; openingHours: string };

export interface StockRecord {
  upc: string;
  region: string;
  code: string;
  quantity: number;
}

export const FACILITIES: readonly FacilityRecord[] = [
  {
    __typename: 'Warehouse',
    region: 'eu-central',
    code: 'FRA1',
    name: 'Frankfurt fulfilment centre',
    city: 'Frankfurt',
    capacity: 12000,
  },
  {
    __typename: 'Warehouse',
    region: 'us-east',
    code: 'EWR2',
    name: 'Newark distribution centre',
    city: 'Newark',
    capacity: 8000,
  },
  {
    __typename: 'Store',
    region: 'eu-central',
    code: 'BER-S1',
    name: 'Berlin showroom',
    city: 'Berlin',
    openingHours: 'Mo-Sa 10:00-20:00',
  },
];

export const STOCK: readonly StockRecord[] = [
  { upc: '1', region: 'eu-central', code: 'FRA1', quantity: 12 },
  { upc: '1', region: 'eu-central', code: 'BER-S1', quantity: 2 },
  { upc: '2', region: 'eu-central', code: 'FRA1', quantity: 0 },
  { upc: '2', region: 'us-east', code: 'EWR2', quantity: 0 },
  { upc: '3', region: 'us-east', code: 'EWR2', quantity: 0 },
  { upc: '4', region: 'eu-central', code: 'FRA1', quantity: 0 },
  { upc: '5', region: 'us-east', code: 'EWR2', quantity: 7 },
  { upc: '5', region: 'eu-central', code: 'BER-S1', quantity: 1 },
];
