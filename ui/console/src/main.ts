import PrimeVue from 'primevue/config';
import ToastService from 'primevue/toastservice';
import { createApp } from 'vue';
import { applyTokens, themePreset } from '../../shared/theme.ts';
import { designTokens } from '../../tokens/index.ts';
import App from './App.vue';
import { ConsoleContext, contextKey } from './context.ts';
import { consoleRouter } from './router.ts';
import '../../shared/styles.css';

const context = new ConsoleContext(() => void router.push({ name: 'sign-in', query: { next: router.currentRoute.value.fullPath } }));
const router = consoleRouter(context);
applyTokens(designTokens);

createApp(App)
  .provide(contextKey, context)
  .use(router)
  .use(PrimeVue, { theme: { preset: themePreset, options: { darkModeSelector: false, cssLayer: false } } })
  .use(ToastService)
  .mount('#app');
