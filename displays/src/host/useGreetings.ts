import { print } from 'graphql';
import { inject, onBeforeUnmount, ref } from 'vue';
import { GuestArrivalsDocument, type GuestArrivalsSubscription } from '../graphql/generated';
import { LIVE_LINK } from '../lib/inject';
import { addGreeting, ageOut, type QueuedGreeting } from './greetings';

/** Greetings as they arrive on this host screen, newest first, aging out. */
export function useGreetings() {
  const link = inject(LIVE_LINK)!;
  const cards = ref<QueuedGreeting[]>([]);
  const stop = link.subscribeRaw(
    { query: print(GuestArrivalsDocument), variables: {} },
    {
      next: (value) => {
        const data = (value as { data?: GuestArrivalsSubscription }).data;
        if (data) cards.value = addGreeting(cards.value, data.guestArrivals, Date.now());
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
  const timer = setInterval(() => (cards.value = ageOut(cards.value, Date.now())), 15_000);
  onBeforeUnmount(() => {
    stop();
    clearInterval(timer);
  });
  return { cards };
}
