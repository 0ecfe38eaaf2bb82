import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import type { AdminContext } from './context.ts';

declare module 'vue-router' {
  interface RouteMeta {
    /** The scope a screen needs; screens without it are hidden from the menu and refused. */
    scope?: string;
    title: string;
    public?: boolean;
  }
}

/**
 * The admin's screens, each loaded on first visit. Media screens join here when their API exists.
 */
export const routes: RouteRecordRaw[] = [
  { path: '/sign-in', name: 'sign-in', component: () => import('./screens/SignIn.vue'), meta: { title: 'Sign in', public: true } },
  { path: '/', name: 'dashboard', component: () => import('./screens/Dashboard.vue'), meta: { title: 'Dashboard', scope: 'catalog:read' } },
  { path: '/products', name: 'products', component: () => import('./screens/Products.vue'), meta: { title: 'Products', scope: 'catalog:read' } },
  { path: '/products/new', name: 'product-new', component: () => import('./screens/ProductEdit.vue'), meta: { title: 'New product', scope: 'catalog:write' } },
  { path: '/products/:id', name: 'product-edit', component: () => import('./screens/ProductEdit.vue'), props: true, meta: { title: 'Product', scope: 'catalog:read' } },
  { path: '/orders', name: 'orders', component: () => import('./screens/Orders.vue'), meta: { title: 'Orders', scope: 'orders:read' } },
  { path: '/orders/:id', name: 'order', component: () => import('./screens/OrderDetail.vue'), props: true, meta: { title: 'Order', scope: 'orders:read' } },
  { path: '/catalog/organise', name: 'organise', component: () => import('./screens/Organise.vue'), meta: { title: 'Collections and categories', scope: 'catalog:read' } },
  { path: '/imports', name: 'imports', component: () => import('./screens/Imports.vue'), meta: { title: 'Import and export', scope: 'catalog:write' } },
  { path: '/consignment/consignors', name: 'consignors', component: () => import('./screens/Consignors.vue'), meta: { title: 'Consignors', scope: 'consignment:read' } },
  { path: '/consignment/consignors/new', name: 'consignor-new', component: () => import('./screens/ConsignorEdit.vue'), meta: { title: 'New consignor', scope: 'consignment:write' } },
  { path: '/consignment/consignors/:id', name: 'consignor', component: () => import('./screens/ConsignorEdit.vue'), props: true, meta: { title: 'Consignor', scope: 'consignment:read' } },
  { path: '/consignment/intake', name: 'intake', component: () => import('./screens/Intake.vue'), meta: { title: 'Intake', scope: 'consignment:read' } },
  { path: '/consignment/intake/new', name: 'intake-new', component: () => import('./screens/IntakeBatch.vue'), meta: { title: 'New intake batch', scope: 'consignment:write' } },
  { path: '/consignment/intake/:id', name: 'intake-batch', component: () => import('./screens/IntakeBatch.vue'), props: true, meta: { title: 'Intake batch', scope: 'consignment:read' } },
  { path: '/consignment/payouts', name: 'payout-runs', component: () => import('./screens/PayoutRuns.vue'), meta: { title: 'Payouts', scope: 'consignment:read' } },
  { path: '/consignment/payouts/:id', name: 'payout-run', component: () => import('./screens/PayoutRun.vue'), props: true, meta: { title: 'Payout run', scope: 'consignment:read' } },
  { path: '/consignment/statements', name: 'statements', component: () => import('./screens/Statements.vue'), meta: { title: 'Statements', scope: 'consignment:read' } },
  { path: '/settings', name: 'settings', component: () => import('./screens/Settings.vue'), meta: { title: 'Store settings', scope: 'staff:read' } },
  { path: '/:unknown(.*)*', name: 'not-found', component: () => import('./screens/NotFound.vue'), meta: { title: 'Not found' } },
];

export function adminRouter(context: AdminContext) {
  const router = createRouter({ history: createWebHistory('/admin/'), routes });
  router.beforeEach(async (to) => {
    if (to.meta.public) return true;
    if (!context.session.signedIn && !(await context.session.renew())) return { name: 'sign-in', query: { next: to.fullPath } };
    if (!context.user) await context.load();
    if (to.meta.scope && !context.can(to.meta.scope)) return { name: 'dashboard' };
    return true;
  });
  router.afterEach((to) => {
    document.title = `${to.meta.title} · ${context.state.bootstrap?.store.name ?? 'Back office'}`;
  });
  return router;
}
