import { Client, fetchExchange } from '@urql/core';
import { ref } from 'vue';
import { LoginDocument } from '../graphql/generated';

/**
 * How this screen signs in. A wall screen signs in once and stays signed in across reloads
 * and power cycles, so the credential lives in localStorage. A device token (issued by a
 * manager for a kitchen or host screen) or a staff token from `login`.
 */
export interface Credential {
  kind: 'device' | 'staff';
  token: string;
  /** Who is signed in, for the header: the staff member's name, or "device". */
  label: string;
}

const KEY = 'pos.credential';

export function loadCredential(storage: Storage = localStorage): Credential | null {
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return null;
    const c = JSON.parse(raw) as Partial<Credential>;
    if (typeof c.token !== 'string' || !c.token || (c.kind !== 'device' && c.kind !== 'staff')) return null;
    return { kind: c.kind, token: c.token, label: typeof c.label === 'string' ? c.label : c.kind };
  } catch {
    return null;
  }
}

export function saveCredential(c: Credential, storage: Storage = localStorage): void {
  storage.setItem(KEY, JSON.stringify(c));
}

export function clearCredential(storage: Storage = localStorage): void {
  storage.removeItem(KEY);
}

/** The app-wide sign-in, shared by every screen. */
export const credential = ref<Credential | null>(loadCredential());
/** Why the last credential was dropped, shown on the sign-in form. */
export const signOutReason = ref<string | null>(null);

export function signIn(c: Credential): void {
  saveCredential(c);
  signOutReason.value = null;
  credential.value = c;
}

export function signOut(reason: string | null = null): void {
  clearCredential();
  signOutReason.value = reason;
  credential.value = null;
}

/** Staff sign-in over HTTP (no token yet), with the generated operation type. */
export async function staffLogin(email: string, password: string): Promise<Credential> {
  const client = new Client({ url: '/graphql', preferGetMethod: false, requestPolicy: 'network-only', exchanges: [fetchExchange] });
  const res = await client.mutation(LoginDocument, { email, password }).toPromise();
  if (res.error || !res.data) throw new Error(res.error?.graphQLErrors[0]?.message ?? res.error?.message ?? 'Sign-in failed');
  const { token, staff } = res.data.login;
  return { kind: 'staff', token, label: `${staff.name} (${staff.role.toLowerCase()})` };
}
