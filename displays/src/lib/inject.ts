import type { InjectionKey } from 'vue';
import type { Client } from '@urql/core';
import type { LiveLink } from './live-link';

/** The screen's live link, provided by ScreenFrame to whatever screen it wraps. */
export const LIVE_LINK: InjectionKey<LiveLink> = Symbol('live-link');

/** The screen's GraphQL client, provided by ScreenFrame. */
export const API: InjectionKey<Client> = Symbol('api');
