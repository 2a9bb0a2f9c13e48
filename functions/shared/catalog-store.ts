import { Catalog, type CatalogEntry } from './catalog';
import { listLearnedProducts, type TableDeps } from './tables';

let cached: { key: string; catalog: Catalog } | undefined;

/**
 * The shipped catalog plus products learned from approved reviews (catalog table). The table is read on
 * every call — it is small, and a product approved a moment ago must be known to the very next photo — but
 * the index is rebuilt only when the learned set changed.
 */
export async function loadCatalog(deps: TableDeps): Promise<Catalog> {
  const learned = await listLearnedProducts(deps);
  const key = learned
    .map((e) => `${e.cas}@${e.learnedAt ?? ''}`)
    .sort()
    .join('|');
  if (cached?.key !== key) cached = { key, catalog: learned.length ? Catalog.shipped().with(learned) : Catalog.shipped() };
  return cached.catalog;
}

export type { CatalogEntry };
