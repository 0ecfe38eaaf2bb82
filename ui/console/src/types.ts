import type { paths } from '../../shared/api/schema';

/** Shapes of the API's answers, taken from the generated OpenAPI types (never written by hand). */
type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

export type Me = Json<paths['/auth/me']['get']['responses'][200]>;
/** What the screens know of any store; the store list adds each store's traffic. */
export type StoreSummary = Omit<Json<paths['/admin/platform/stores']['get']['responses'][200]>['items'][number], 'requests_last_hour'>;
export type StoreDetail = Json<paths['/admin/platform/stores/{id}']['get']['responses'][200]>;
export type StaffMember = Json<paths['/admin/platform/stores/{id}/staff']['get']['responses'][200]>['items'][number];
export type AuditEntry = Json<paths['/admin/platform/impersonations']['get']['responses'][200]>['items'][number];
export type PlatformCommand = Json<paths['/admin/platform/commands']['get']['responses'][200]>['items'][number];
export type DeadJob = Json<paths['/admin/jobs/dead']['get']['responses'][200]>['items'][number];
export type DeadJobDetail = Json<paths['/admin/jobs/dead/{id}']['get']['responses'][200]>;
export type Plan = NonNullable<NonNullable<paths['/admin/platform/stores']['get']['parameters']['query']>['plan']>;
export type ReasonCode = NonNullable<paths['/admin/platform/impersonations']['post']['requestBody']>['content']['application/json']['reason_code'];
export type RequestTrace = Json<paths['/admin/platform/requests/{requestId}']['get']['responses'][200]>;
export type Span = RequestTrace['spans'][number];
export type TraceSummary = Json<paths['/admin/platform/requests']['get']['responses'][200]>['items'][number];
export type Drilldown = Json<paths['/admin/platform/stores/{id}/drilldown']['get']['responses'][200]>;
export type Heatmap = Json<paths['/admin/platform/widgets/error-heatmap']['get']['responses'][200]>;
