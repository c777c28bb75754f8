import { print } from 'graphql';
import { computed, inject, onBeforeUnmount, ref, watch, type Ref } from 'vue';
import { API, LIVE_LINK } from '../lib/inject';
import { BumpTicketDocument, KitchenBoardDocument, KitchenEventsDocument, RecallTicketDocument, StartTicketDocument, type KitchenEventsSubscription } from '../graphql/generated';
import { allDay, applyKitchenEvent, boardFromSnapshot, type BoardState } from './board';

/**
 * A station's live board: the snapshot from kitchenBoard, then kitchenEvents from its cursor.
 * The subscription's variables carry the last applied cursor, and graphql-ws sends them again
 * after a reconnect, so the screen resumes exactly where it stopped; the reducer drops anything
 * it has already applied.
 */
export function useKitchenBoard(station: Ref<string | null>, onNewTicket: () => void = () => undefined) {
  const api = inject(API)!;
  const link = inject(LIVE_LINK)!;
  const board = ref<BoardState | null>(null);
  const error = ref<string | null>(null);
  let stop: (() => void) | null = null;

  async function load(): Promise<void> {
    stop?.();
    stop = null;
    board.value = null;
    error.value = null;
    const res = await api.query(KitchenBoardDocument, { station: station.value }).toPromise();
    if (res.error || !res.data) {
      error.value = res.error?.graphQLErrors[0]?.message ?? res.error?.message ?? 'Could not load the board';
      return;
    }
    board.value = boardFromSnapshot(res.data.kitchenBoard);
    const payload = { query: print(KitchenEventsDocument), variables: { station: station.value, since: res.data.kitchenBoard.cursor } as Record<string, unknown> };
    stop = link.subscribeRaw(payload, {
      next: (value) => {
        const data = (value as { data?: KitchenEventsSubscription }).data;
        if (!data || !board.value) return;
        const event = data.kitchenEvents;
        const before = board.value;
        board.value = applyKitchenEvent(before, event);
        if (board.value !== before) payload.variables.since = event.cursor;
        if (event.type === 'CREATED' && board.value !== before) onNewTicket();
      },
      error: () => undefined,
      complete: () => undefined,
    });
  }

  async function act(action: 'start' | 'bump' | 'recall', ticketId: string): Promise<void> {
    const doc = action === 'start' ? StartTicketDocument : action === 'bump' ? BumpTicketDocument : RecallTicketDocument;
    const res = await api.mutation(doc, { id: ticketId }).toPromise();
    if (res.error) error.value = res.error.graphQLErrors[0]?.message ?? res.error.message;
  }

  watch(station, () => void load(), { immediate: true });
  onBeforeUnmount(() => stop?.());

  return {
    board,
    error,
    tickets: computed(() => board.value?.tickets ?? []),
    bumped: computed(() => board.value?.bumped ?? []),
    allDay: computed(() => allDay(board.value?.tickets ?? [])),
    act,
    reload: load,
  };
}
