import { type Ref, ref } from 'vue';
import { describeError } from './api/problem.ts';

/**
 * A cursor-paged list screen's state: the current page, its loading and error states, and previous/next over
 * the cursors seen so far (the API pages forward only). `fetchPage` reads the screen's own filters.
 */
export function useCursorList<T>(fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor?: string | null }>) {
  const items = ref([]) as Ref<T[]>;
  const cursors = ref<(string | undefined)[]>([undefined]);
  const nextCursor = ref<string | null>(null);
  const loading = ref(true);
  const error = ref<string | null>(null);

  async function load(cursor?: string) {
    loading.value = true;
    error.value = null;
    try {
      const page = await fetchPage(cursor);
      items.value = page.items;
      nextCursor.value = page.next_cursor ?? null;
    } catch (failure) {
      error.value = describeError(failure);
    } finally {
      loading.value = false;
    }
  }
  /** Back to the first page (the filters changed). */
  function restart() {
    cursors.value = [undefined];
    void load();
  }
  function next() {
    if (!nextCursor.value) return;
    cursors.value.push(nextCursor.value);
    void load(nextCursor.value);
  }
  function previous() {
    cursors.value.pop();
    void load(cursors.value.at(-1));
  }
  return { items, cursors, nextCursor, loading, error, load, restart, next, previous };
}
