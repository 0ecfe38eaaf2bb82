import { type RouteRecordRaw, createRouter, createWebHistory } from 'vue-router';
import type { ConsoleContext } from './context.ts';

declare module 'vue-router' {
  interface RouteMeta {
    /** The scope a screen needs; screens without it are hidden from the menu and refused. */
    scope?: string;
    title: string;
    public?: boolean;
    /** Open to a signed-in super-user who has not enrolled a second factor yet (the enrolment itself). */
    enrolment?: boolean;
  }
}

/**
 * The console's screens, each loaded on first visit. Their paths avoid the API's own segments under
 * /admin/platform/ (stores, impersonations, commands, requests, widgets), so a reload always gets the app.
 */
export const routes: RouteRecordRaw[] = [
  { path: '/sign-in', name: 'sign-in', component: () => import('./screens/SignIn.vue'), meta: { title: 'Sign in', public: true } },
  { path: '/second-factor', name: 'enrol', component: () => import('./screens/Enrol.vue'), meta: { title: 'Second factor', enrolment: true } },
  { path: '/', name: 'dashboard', component: () => import('./screens/Dashboard.vue'), meta: { title: 'Dashboard', scope: 'platform:stores:read' } },
  { path: '/fleet', name: 'stores', component: () => import('./screens/Stores.vue'), meta: { title: 'Stores', scope: 'platform:stores:read' } },
  { path: '/fleet/new', name: 'onboard', component: () => import('./screens/Onboard.vue'), meta: { title: 'Onboard a store', scope: 'platform:stores:write' } },
  { path: '/fleet/:id', name: 'store', component: () => import('./screens/StoreDetail.vue'), props: true, meta: { title: 'Store', scope: 'platform:stores:read' } },
  { path: '/act-as', name: 'impersonate', component: () => import('./screens/Impersonate.vue'), meta: { title: 'Impersonation', scope: 'platform:impersonate' } },
  { path: '/dead-jobs', name: 'dead-jobs', component: () => import('./screens/DeadJobs.vue'), meta: { title: 'Dead jobs', scope: 'jobs:admin' } },
  { path: '/search', name: 'search', component: () => import('./screens/RequestSearch.vue'), meta: { title: 'Find a request', scope: 'platform:audit:read' } },
  { path: '/audit/commands', name: 'audit-commands', component: () => import('./screens/CommandAudit.vue'), meta: { title: 'Platform commands', scope: 'platform:audit:read' } },
  { path: '/audit/impersonations', name: 'audit-impersonations', component: () => import('./screens/ImpersonationAudit.vue'), meta: { title: 'Impersonation audit', scope: 'platform:audit:read' } },
  { path: '/:unknown(.*)*', name: 'not-found', component: () => import('./screens/NotFound.vue'), meta: { title: 'Not found' } },
];

export function consoleRouter(context: ConsoleContext) {
  const router = createRouter({ history: createWebHistory('/admin/platform/'), routes });
  router.beforeEach(async (to) => {
    if (to.meta.public) return true;
    if (!context.session.signedIn && !(await context.session.renew())) return { name: 'sign-in', query: { next: to.fullPath } };
    if (!context.me) await context.load();
    if (context.me?.kind !== 'platform') {
      await context.signOut();
      return { name: 'sign-in', query: { refused: 'kind' } };
    }
    if (!context.admitted) return to.meta.enrolment ? true : { name: 'enrol', query: { next: to.fullPath } };
    if (to.meta.scope && !context.can(to.meta.scope)) return { name: 'dashboard' };
    return true;
  });
  router.afterEach((to) => {
    document.title = `${to.meta.title} · Platform console`;
  });
  return router;
}
