import type { paths } from '../../shared/api/schema';

/** Shapes of the API's answers, taken from the generated OpenAPI types (never written by hand). */
type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

export type Product = Json<paths['/admin/api/v1/products/{id}']['get']['responses'][200]>;
export type Variant = Product['variants'][number];
export type Category = Json<paths['/admin/api/v1/categories']['get']['responses'][200]>['items'][number];
export type Collection = Json<paths['/admin/api/v1/collections/{id}']['get']['responses'][200]>;
export type Location = Json<paths['/admin/api/v1/inventory/locations']['get']['responses'][200]>['items'][number];
export type CatalogImport = Json<paths['/admin/api/v1/imports/{id}']['get']['responses'][200]>;
export type StaffMember = Json<paths['/admin/api/v1/staff']['get']['responses'][200]>['items'][number];
export type ApiClientView = Json<paths['/admin/api/v1/api-clients']['get']['responses'][200]>['items'][number];
export type Domain = Json<paths['/admin/api/v1/domains']['get']['responses'][200]>['items'][number];
export type ProductInput = NonNullable<paths['/admin/api/v1/products']['post']['requestBody']>['content']['application/json'];
type Consignment<Path extends string> = `/admin/api/v1/consignment${Path}`;
type Get<P extends keyof paths> = paths[P] extends { get: { responses: { 200: infer R } } } ? Json<R> : never;
export type ConsignorSummary = Get<Consignment<'/consignors'>>['items'][number];
export type Consignor = Get<Consignment<'/consignors/{id}'>>;
export type ConsignorInput = NonNullable<paths[Consignment<'/consignors'>]['post']['requestBody']>['content']['application/json'];
export type ConsignorTerms = Get<Consignment<'/consignors/{id}/terms'>>;
export type StoreTerms = Get<Consignment<'/terms'>>;
export type Acceptance = Get<Consignment<'/consignors/{id}/agreement-acceptances'>>['items'][number];
export type Balance = Get<Consignment<'/consignors/{id}/balance'>>;
export type Batch = Get<Consignment<'/batches/{id}'>>;
export type BatchSummary = Get<Consignment<'/batches'>>['items'][number];
export type ExpiringItems = Get<Consignment<'/items/expiring'>>;
export type MediaAsset = Json<paths['/admin/api/v1/media/{id}']['get']['responses'][200]>;
export type ProductMedium = Product['media'][number];
