// Records of the products subgraph: the five products the benchmark's topProducts returns (name, price, weight as
// in expected.json), plus a SKU each so Product has a second key.

export interface ProductRecord {
  upc: string;
  sku: string;
  name: string;
  price: number;
  weight: number;
  /** The value products served before inventory took the field over with @override; matches inventory's stock. */
  inStock: boolean;
}

export const PRODUCTS: readonly ProductRecord[] = [
  { upc: '1', sku: 'FURN-TABLE-01', name: 'Table', price: 899, weight: 100, inStock: true },
  { upc: '2', sku: 'FURN-COUCH-01', name: 'Couch', price: 1299, weight: 1000, inStock: false },
  { upc: '3', sku: 'KITCH-GLASS-01', name: 'Glass', price: 15, weight: 20, inStock: false },
  { upc: '4', sku: 'FURN-CHAIR-01', name: 'Chair', price: 499, weight: 100, inStock: false },
  { upc: '5', sku: 'ELEC-TV-01', name: 'TV', price: 1299, weight: 1000, inStock: true },
];
