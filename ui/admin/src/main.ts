import PrimeVue from 'primevue/config';
import ToastService from 'primevue/toastservice';
import { createApp } from 'vue';
import { startTelemetry } from '../../shared/telemetry.ts';
import { applyTokens, themePreset } from '../../shared/theme.ts';
import type { DesignTokens } from '../../tokens/index.ts';
import App from './App.vue';
import { AdminContext, contextKey } from './context.ts';
import { adminRouter } from './router.ts';
import '../../shared/styles.css';

const context = new AdminContext(() => void router.push({ name: 'sign-in', query: { next: router.currentRoute.value.fullPath } }));
// Before the router reads the address: the hand-off token must not stay in the URL or the history.
context.session.adoptHandoff();
const router = adminRouter(context);
startTelemetry('/admin/telemetry', router);

// Store name and colours before sign-in; scopes, flags and roles are added once signed in.
context
  .load()
  .then((bootstrap) => applyTokens(bootstrap.design_tokens as DesignTokens))
  .catch(() => undefined)
  .finally(() => {
    createApp(App)
      .provide(contextKey, context)
      .use(router)
      .use(PrimeVue, { theme: { preset: themePreset, options: { darkModeSelector: false, cssLayer: false } } })
      .use(ToastService)
      .mount('#app');
  });
