import { print } from 'graphql';
import { computed, inject, onBeforeUnmount, ref } from 'vue';
import { API, LIVE_LINK } from '../lib/inject';
import { RegisterMenuDocument, RegisterMenuUpdatesDocument, type MenuEntryFragment, type RegisterMenuUpdatesSubscription } from '../graphql/generated';

/** The menu with live availability: menuUpdates replace items as they change (an item 86'd greys out). */
export function useMenu() {
  const api = inject(API)!;
  const link = inject(LIVE_LINK)!;
  const items = ref<MenuEntryFragment[]>([]);
  const stop = link.subscribeRaw(
    { query: print(RegisterMenuUpdatesDocument), variables: {} },
    {
      next: (value) => {
        const data = (value as { data?: RegisterMenuUpdatesSubscription }).data;
        if (!data) return;
        const item = data.menuUpdates;
        const i = items.value.findIndex((m) => m.id === item.id);
        items.value = i >= 0 ? items.value.map((m, j) => (j === i ? item : m)) : [...items.value, item];
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
  void api
    .query(RegisterMenuDocument, {})
    .toPromise()
    .then((r) => {
      // Updates that arrived first win over the snapshot.
      const seen = new Set(items.value.map((m) => m.id));
      items.value = [...items.value, ...(r.data?.menu ?? []).filter((m) => !seen.has(m.id))];
    });
  onBeforeUnmount(stop);
  const categories = computed(() => {
    const by = new Map<string, MenuEntryFragment[]>();
    for (const m of [...items.value].sort((a, b) => a.name.localeCompare(b.name))) by.set(m.category, [...(by.get(m.category) ?? []), m]);
    return [...by].sort(([a], [b]) => a.localeCompare(b));
  });
  return { items, categories };
}
